public import CoreMetrics
import HookpipeSync

/// The store's commit metrics, and what readiness needs to know about
/// writes: whether a commit failed recently.
///
/// Called on the store's writer thread once per group commit (not per event).
public final class StoreMetrics: Sendable {
    private let commitLatency: Timer
    private let lastFailure = Locked<(code: String, at: ContinuousClock.Instant)?>(nil)

    /// Creates the commit latency histogram in `factory`.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        commitLatency = Timer(label: MetricName.storeCommitLatency, factory: factory)
    }

    /// A transaction committed (and synced) in `nanoseconds`.
    public func committed(nanoseconds: UInt64) {
        commitLatency.recordNanoseconds(Int64(clamping: nanoseconds))
        lastFailure.withLock { $0 = nil }
    }

    /// A transaction failed with the store error code `code` (`store_full`, …).
    public func commitFailed(code: String, at now: ContinuousClock.Instant = .now) {
        lastFailure.withLock { $0 = (code, now) }
    }

    /// The code of the last commit, when it failed less than `window` ago.
    public func recentFailure(within window: Duration, now: ContinuousClock.Instant = .now) -> String? {
        lastFailure.withLock { failure in
            guard let failure, now - failure.at < window else { return nil }
            return failure.code
        }
    }
}
