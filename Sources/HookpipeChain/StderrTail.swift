import DequeModule

/// A stage's recent stderr lines, kept for dead letters, and a rate limit on
/// how many of them are logged, so that a stage flooding stderr costs the
/// daemon little and can never stall the chain (its stderr is always read).
struct StderrTail {
    private(set) var lines: Deque<String> = []
    let capacity: Int
    private let logPerSecond: Int
    private var windowStart: ContinuousClock.Instant?
    private var loggedInWindow = 0
    private(set) var suppressed = 0

    init(capacity: Int, logPerSecond: Int = 200) {
        self.capacity = max(1, capacity)
        self.logPerSecond = logPerSecond
    }

    /// Records `line`; returns whether it should be logged, and how many were
    /// suppressed before it (to be reported once the window reopens).
    mutating func record(_ line: String, now: ContinuousClock.Instant) -> (log: Bool, suppressedBefore: Int) {
        lines.append(line)
        if lines.count > capacity { lines.removeFirst() }
        if windowStart.map({ now - $0 >= .seconds(1) }) ?? true {
            windowStart = now
            loggedInWindow = 0
        }
        guard loggedInWindow < logPerSecond else {
            suppressed += 1
            return (false, 0)
        }
        loggedInWindow += 1
        defer { suppressed = 0 }
        return (true, suppressed)
    }
}
