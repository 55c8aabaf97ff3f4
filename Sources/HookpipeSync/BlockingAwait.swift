import Dispatch

/// Runs async work from a dedicated (non-cooperative) thread and waits for it.
///
/// The chain's I/O runs on plain threads with blocking pipes, and the
/// store's writer thread commits batches; the store's API and postgres-nio
/// are async. Never call this from a task: it would block a pool thread.
public func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            box.result = .success(try await body())
        } catch {
            box.result = .failure(error)
        }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    // Written once by the task before the semaphore is signalled, read after.
    var result: Result<T, any Error>?
}
