import Foundation
import Logging
import NIOCore
import PostgresNIO
import HookpipeStore
import HookpipeSync

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
            return (.unavailable, "PostgreSQL did not answer within \(error.after) (the outcome is unknown)")
        default:
            return (.unavailable, "\(type(of: error))")
        }
    }
}

extension PostgresClient {
    /// Every row of `query`, read to the end on the connection's event loop.
    ///
    /// Never through postgres-nio's `AsyncSequence` of rows: with it, a
    /// result waiting for its consumer's demand when the server closes the
    /// connection (PostgreSQL crashed, restarted or ended the session) hits
    /// a `preconditionFailure` in postgres-nio 1.33.2's
    /// `RowStreamStateMachine.channelReadComplete` and the daemon dies (seen
    /// in `crash_matrix.py pgrestart`). Collecting on the event loop asks for
    /// more rows as soon as each read is delivered, so that state never occurs.
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await withConnection { connection in try await connection.rows(query, logger: logger) }
    }
}

extension PostgresConnection {
    /// Every row of `query`, collected on the event loop (see ``PostgresClient/rows(_:logger:)``).
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger)
        return try await result.get().rows
    }
}
