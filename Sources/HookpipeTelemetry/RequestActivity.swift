import Dispatch
import HookpipeSync

/// Requests answered per source and minute over the last hour, accepted
/// (2xx) and refused (everything else): what the console's overview charts.
///
/// ``ActivityBuckets`` decides; this class only guards it with a lock. One
/// object lives for the whole run, across reloads, and the receiver records
/// into it after it has answered; a record costs a lock and two additions.
public final class RequestActivity: Sendable {
    private let buckets: Locked<ActivityBuckets>
    private let minuteNow: @Sendable () -> Int64

    /// - Parameter minuteNow: the current minute (a monotonic count; tests pass their own).
    public init(minutes: Int = 60, minuteNow: @escaping @Sendable () -> Int64 = RequestActivity.monotonicMinute) {
        buckets = Locked(ActivityBuckets(minutes: minutes))
        self.minuteNow = minuteNow
    }

    /// Counts one answered request of `source` (`""`: a request that matched no source).
    public func record(source: String, accepted: Bool) {
        let minute = minuteNow()
        buckets.withLock { $0.record(source: source, accepted: accepted, minute: minute) }
    }

    /// Every source seen in the window, oldest minute first.
    public func snapshot() -> [ActivityBuckets.Series] {
        let minute = minuteNow()
        return buckets.withLock { $0.series(endingAt: minute) }
    }

    /// Minutes since an arbitrary start, from the monotonic clock.
    @Sendable public static func monotonicMinute() -> Int64 {
        Int64(DispatchTime.now().uptimeNanoseconds / 60_000_000_000)
    }
}

/// Per source, a ring of per-minute counts. No clock, no lock.
public struct ActivityBuckets: Sendable, Equatable {
    /// One minute's counts.
    public struct Count: Sendable, Equatable {
        public var accepted = 0
        public var refused = 0

        public init(accepted: Int = 0, refused: Int = 0) {
            self.accepted = accepted
            self.refused = refused
        }
    }

    /// One source over the window, oldest minute first.
    public struct Series: Sendable, Equatable {
        public var source: String
        public var minutes: [Count]

        public init(source: String, minutes: [Count]) {
            self.source = source
            self.minutes = minutes
        }

        public var accepted: Int { minutes.reduce(0) { $0 + $1.accepted } }
        public var refused: Int { minutes.reduce(0) { $0 + $1.refused } }
    }

    private struct Ring: Sendable, Equatable {
        /// The minute each slot counts, so a slot left from an earlier hour reads as empty.
        var minuteOf: [Int64]
        var counts: [Count]

        mutating func record(slot: Int, minute: Int64, accepted: Bool) {
            if minuteOf[slot] != minute {
                minuteOf[slot] = minute
                counts[slot] = .init()
            }
            if accepted { counts[slot].accepted += 1 } else { counts[slot].refused += 1 }
        }
    }

    /// How many minutes the window holds.
    public let minutes: Int
    /// More sources than this (paths are configured, but unrouted requests are
    /// one bucket) cannot happen; the bound keeps memory fixed regardless.
    static let maximumSources = 1024
    private var rings: [String: Ring] = [:]

    public init(minutes: Int) {
        self.minutes = max(1, minutes)
    }

    public mutating func record(source: String, accepted: Bool, minute: Int64) {
        if rings[source] == nil {
            guard rings.count < Self.maximumSources else { return }
            rings[source] = Ring(minuteOf: Array(repeating: -1, count: minutes), counts: Array(repeating: Count(), count: minutes))
        }
        let slot = Int(minute.remainderReportingOverflow(dividingBy: Int64(minutes)).partialValue + Int64(minutes)) % minutes
        rings[source]!.record(slot: slot, minute: minute, accepted: accepted)
    }

    /// The window ending at `minute` (inclusive), per source, sources sorted by name.
    public func series(endingAt minute: Int64) -> [Series] {
        rings.keys.sorted().map { source in
            let ring = rings[source]!
            let counts = (0..<minutes).map { offset -> Count in
                let wanted = minute - Int64(minutes - 1 - offset)
                let slot = Int(wanted.remainderReportingOverflow(dividingBy: Int64(minutes)).partialValue + Int64(minutes)) % minutes
                return ring.minuteOf[slot] == wanted ? ring.counts[slot] : Count()
            }
            return Series(source: source, minutes: counts)
        }
    }
}
