/// One log line per interval for an event that can repeat thousands of times
/// a second (a refused connection, a failed `accept`), with a count.
///
/// The first occurrence is logged at once (count 1). Later ones within the
/// interval are only counted; the first of them asks for a flush at the end
/// of the interval, so a burst that then stops is still reported. The next
/// line, from ``record(at:)`` or ``flush(at:)``, carries how many happened
/// since the previous one. No I/O and no timers: the caller logs and
/// schedules; tested with a manual clock.
public struct LogThrottle<C: Clock>: Sendable where C.Instant: Sendable {
    /// What to do about one occurrence.
    public enum Action: Equatable, Sendable {
        /// Log a line now, for `count` occurrences (this one included).
        case log(count: Int)
        /// Count it only; nothing to do.
        case suppress
        /// Count it, and call ``flush(at:)`` after `delay` (the interval's end).
        case suppressAndFlush(after: C.Duration)
    }

    public let interval: C.Duration
    private var lastLine: C.Instant?
    private var pending = 0

    public init(interval: C.Duration) {
        self.interval = interval
    }

    /// Occurrences counted since the last line.
    public var suppressed: Int { pending }

    /// Records one occurrence at `now`.
    public mutating func record(at now: C.Instant) -> Action {
        guard let lastLine, now < lastLine.advanced(by: interval) else {
            let count = pending + 1
            pending = 0
            lastLine = now
            return .log(count: count)
        }
        pending += 1
        return pending == 1 ? .suppressAndFlush(after: now.duration(to: lastLine.advanced(by: interval))) : .suppress
    }

    /// The count to log for occurrences since the last line, if any (then a
    /// line is due now); `nil` when a later ``record(at:)`` already logged them.
    public mutating func flush(at now: C.Instant) -> Int? {
        guard pending > 0 else { return nil }
        defer { pending = 0 }
        lastLine = now
        return pending
    }
}
