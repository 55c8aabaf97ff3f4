import HookpipeSync

/// Runs blocking work (the chain waits on pipes, processes and the store) on
/// a thread of its own and awaits it, keeping it off the cooperative pool.
func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        startThread(named: name) { continuation.resume(with: Result { try body() }) }
    }
}
