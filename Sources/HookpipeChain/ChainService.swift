public import ServiceLifecycle
import Foundation

/// The chain as a service: starts the runner, and on graceful shutdown
/// drains it within the deadline and persists the checkpoint. Placed after
/// the store and before the listener in the service group, so the listener
/// stops first and the store closes last.
public struct ChainService: Service {
    public let runner: ChainRunner
    public let drainTimeout: Duration

    public init(runner: ChainRunner, drainTimeout: Duration) {
        self.runner = runner
        self.drainTimeout = drainTimeout
    }

    public func run() async throws {
        try await runOnThread { try runner.start() }
        try? await gracefulShutdown()
        try await runOnThread { runner.stop(deadline: drainTimeout) }
    }

    /// The runner blocks (it waits on the store and on processes); keep that
    /// off the cooperative pool.
    private func runOnThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
