import HookpipeStore
import PostgresNIO

/// Turns postgres-nio's errors into ``StoreError``s whose messages name the
/// action, the server's SQLSTATE and message, and nothing else: never the
/// query's bound values (event content) nor connection secrets.
enum PostgresFailure {
    static func storeError(_ error: any Error, doing action: String) -> StoreError {
        if let error = error as? StoreError { return error }
        let (code, detail) = describe(error)
        return StoreError(code, "\(action): \(detail)")
    }

    private static func describe(_ error: any Error) -> (StoreError.Code, String) {
        switch error {
        case let error as PSQLError:
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = info[.message] ?? "no message"
                // Class 53: insufficient resources (53100 disk_full).
                let code: StoreError.Code = state == "53100" ? .full : .unavailable
                return (code, "PostgreSQL \(state): \(message)")
            }
            return (.unavailable, "PostgreSQL connection: \(error.code)")
        case let error as PostgresTransactionError:
            if let inner = error.beginError ?? error.closureError ?? error.commitError {
                let (code, detail) = describe(inner)
                let phase = error.beginError != nil ? "BEGIN" : error.closureError != nil ? "in the transaction" : "COMMIT"
                return (code, "\(phase): \(detail)")
            }
            return (.unavailable, "transaction failed")
        case is CancellationError:
            return (.unavailable, "cancelled")
        case let error as DeadlineExceeded:
            return (.unavailable, "\(error)")
        default:
            return (.unavailable, "\(type(of: error))")
        }
    }
}

/// An operation on PostgreSQL did not finish in time; its outcome is unknown.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let after: Duration
    var description: String { "PostgreSQL did not answer within \(after) (the outcome is unknown)" }
}

/// Runs `operation`, abandoning it (cancelled) when it takes longer than `limit`.
@discardableResult
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(after: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
