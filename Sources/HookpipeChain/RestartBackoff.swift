/// When to restart a stage after its process ended: s6-style, never a busy loop.
///
/// Pure decision logic (STYLE habit 4). The delay doubles from `floor` up to
/// `cap` with each consecutive unhealthy exit, with ±20 % jitter so stages
/// that failed together do not restart in lockstep. A process that ran for
/// `healthyAfter` resets the count. After `failAfter` consecutive unhealthy
/// exits the stage is reported failed (the daemon is degraded) and retried at
/// the cap.
struct RestartBackoff {
    struct Decision: Equatable {
        var delay: Duration
        /// The stage is crash-looping.
        var failed: Bool
    }

    let floor: Duration
    let cap: Duration
    let healthyAfter: Duration
    let failAfter: Int
    private(set) var consecutiveFailures = 0

    init(floor: Duration, cap: Duration, healthyAfter: Duration, failAfter: Int) {
        self.floor = floor
        self.cap = max(floor, cap)
        self.healthyAfter = healthyAfter
        self.failAfter = failAfter
    }

    /// Whether the stage is currently considered crash-looping.
    var failed: Bool { consecutiveFailures > failAfter }

    /// A process that ran for `uptime` ended unexpectedly.
    /// - Parameter jitter: a number in 0..<1 (random in production, fixed in tests).
    mutating func exited(after uptime: Duration, jitter: Double) -> Decision {
        if uptime >= healthyAfter { consecutiveFailures = 0 }
        consecutiveFailures += 1
        if failed { return Decision(delay: cap, failed: true) }
        var delay = floor
        for _ in 1..<consecutiveFailures where delay < cap {
            delay *= 2
        }
        delay = min(cap, delay)
        let scaled = delay * (0.8 + 0.4 * min(max(jitter, 0), 1))
        return Decision(delay: max(floor, min(cap, scaled)), failed: false)
    }

    /// The stage drained cleanly or stayed up: forget past failures.
    mutating func recovered() {
        consecutiveFailures = 0
    }
}
