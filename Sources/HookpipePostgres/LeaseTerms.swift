/// The chain lease's timing, and how far a holder may trust it: pure
/// arithmetic on this node's monotonic clock, no I/O.
///
/// Expiry is decided by the database's clock alone (`expires_at = now() +
/// ttl` in the renewing statement). A node trusts its lease until `trustFor`
/// after it *sent* its last successful renewal, a fifth of the TTL short of
/// the database's expiry, so a slow round trip never stretches the window
/// and a node never writes after another could have taken over (as long as
/// the clocks do not drift apart by 20 %).
public struct LeaseTerms: Sendable, Equatable {
    public var ttl: Duration

    public init(ttl: Duration) {
        self.ttl = ttl
    }

    /// How often the holder renews: a fifth of the TTL.
    public var renewEvery: Duration { ttl / 5 }
    /// How long after sending a successful renewal the holder trusts its lease.
    public var trustFor: Duration { ttl - ttl / 5 }
    /// How often a standby tries to take an expired lease (before jitter).
    public var acquireEvery: Duration { min(.milliseconds(500), ttl / 5) }

    /// A standby's pause before its next attempt: ``acquireEvery`` ± 20 %,
    /// `unit` in 0...1 choosing where in that range.
    public func acquirePause(unit: Double) -> Duration {
        let (seconds, attoseconds) = acquireEvery.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds / 1_000_000_000)
        return .nanoseconds(Int64((nanoseconds * (0.8 + 0.4 * min(1, max(0, unit)))).rounded()))
    }
}

/// What the holder knows about its own lease.
public struct LeaseTrust: Sendable, Equatable {
    public private(set) var epoch: Int64
    public private(set) var trustedUntil: ContinuousClock.Instant

    /// A lease of `epoch` just acquired or renewed by a statement sent at `sentAt`.
    public init(epoch: Int64, sentAt: ContinuousClock.Instant, terms: LeaseTerms) {
        self.epoch = epoch
        trustedUntil = sentAt + terms.trustFor
    }

    /// A renewal sent at `sentAt` succeeded: trust runs from then (never shrinks).
    public mutating func renewed(sentAt: ContinuousClock.Instant, terms: LeaseTerms) {
        trustedUntil = max(trustedUntil, sentAt + terms.trustFor)
    }

    /// Whether the lease is still trusted for at least `margin` at `now`.
    public func isTrusted(at now: ContinuousClock.Instant, margin: Duration = .zero) -> Bool {
        now + margin < trustedUntil
    }

    /// How long a renewal may take before it would outlive the trust.
    public func remaining(at now: ContinuousClock.Instant) -> Duration {
        max(.zero, trustedUntil - now)
    }
}
