import HookpipeTelemetry
import Testing

@Suite("LogThrottle: one line per interval, with a count")
struct LogThrottleTests {
    /// Instants are made from a fixed start: the throttle never reads a clock.
    let start = ContinuousClock.Instant.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start.advanced(by: .milliseconds(milliseconds))
    }

    @Test("the first occurrence is logged at once; the rest of the interval only counts")
    func firstLogged() {
        var throttle = LogThrottle<ContinuousClock>(interval: .seconds(10))
        #expect(throttle.record(at: at(0)) == .log(count: 1))
        #expect(throttle.record(at: at(1_000)) == .suppressAndFlush(after: .seconds(9)))
        #expect(throttle.record(at: at(2_000)) == .suppress)
        #expect(throttle.suppressed == 2)
    }

    @Test("the next line after the interval carries everything since the last one")
    func countCarried() {
        var throttle = LogThrottle<ContinuousClock>(interval: .seconds(10))
        _ = throttle.record(at: at(0))
        for ms in stride(from: 1, through: 999, by: 1) { _ = throttle.record(at: at(ms)) }
        #expect(throttle.record(at: at(10_000)) == .log(count: 1_000))
        #expect(throttle.suppressed == 0)
    }

    @Test("a burst that stops is reported by the flush; a flush after a line has nothing to say")
    func flush() {
        var throttle = LogThrottle<ContinuousClock>(interval: .seconds(10))
        _ = throttle.record(at: at(0))
        _ = throttle.record(at: at(5))
        _ = throttle.record(at: at(6))
        #expect(throttle.flush(at: at(10_000)) == 2)
        #expect(throttle.flush(at: at(10_001)) == nil)
        // The flush was a line: the interval starts over from it.
        #expect(throttle.record(at: at(15_000)) == .suppressAndFlush(after: .seconds(5)))
    }

    @Test("10,000 occurrences over a minute make at most one line per interval plus one")
    func bounded() {
        var throttle = LogThrottle<ContinuousClock>(interval: .seconds(10))
        var lines = 0
        var counted = 0
        for index in 0..<10_000 {
            if case .log(let count) = throttle.record(at: at(index * 6)) {
                lines += 1
                counted += count
            }
        }
        counted += throttle.flush(at: at(60_000)) ?? 0
        #expect(lines <= 7)
        #expect(counted == 10_000)
    }
}
