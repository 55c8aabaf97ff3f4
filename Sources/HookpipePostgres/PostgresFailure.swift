import Foundation
import Logging
import NIOCore
import PostgresNIO
import HookpipeStore

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

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded``
/// once `limit` has passed, whichever comes first. On the deadline the
/// operation is cancelled and abandoned, not awaited: a postgres-nio call
/// waiting on a future does not always heed cancellation, and a task group
/// would wait for it however long it takes (seen: a daemon whose sequencer
/// and shutdown hung after PostgreSQL was killed).
@discardableResult
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.install(continuation)
            let work = Task {
                do { outcome.resume(.success(try await operation())) } catch { outcome.resume(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                outcome.resume(.failure(DeadlineExceeded(after: limit)))
            }
            outcome.onResume { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        outcome.resume(.failure(CancellationError()))
    }
}

/// Resumes one continuation with the first outcome given; later ones are dropped.
final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    /// Runs `body` once an outcome is in (at once when it already is).
    func onResume(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        if done {
            lock.unlock()
            body()
            return
        }
        cleanup = body
        lock.unlock()
    }

    func resume(_ result: Result<T, any Error>) {
        lock.lock()
        guard !done else {
            lock.unlock()
            return
        }
        done = true
        let (waiting, then) = (continuation, cleanup)
        continuation = nil
        cleanup = nil
        if waiting == nil { early = result }
        lock.unlock()
        waiting?.resume(with: result)
        then?()
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
