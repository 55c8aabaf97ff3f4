import Foundation

/// An operation did not finish in time; its outcome is unknown.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let after: Duration
    public init(after: Duration) { self.after = after }
    public var description: String { "no answer within \(after) (the outcome is unknown)" }
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded``
/// once `limit` has passed, whichever comes first. On the deadline the
/// operation is cancelled and abandoned, not awaited: a postgres-nio call
/// waiting on a future does not always heed cancellation, and a task group
/// would wait for it however long it takes (seen: a daemon whose sequencer
/// and shutdown hung after PostgreSQL was killed).
@discardableResult
public func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
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
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
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
