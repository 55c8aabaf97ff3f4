@testable import HookpipeChain
import Testing

@Suite("RestartBackoff and PoisonTracker")
struct RestartBackoffTests {
    @Test("delays double from the floor to the cap, never a busy loop")
    func doubling() {
        var backoff = RestartBackoff(floor: .milliseconds(100), cap: .seconds(1), healthyAfter: .seconds(10), failAfter: 10)
        let delays = (0..<6).map { _ in backoff.exited(after: .milliseconds(5), jitter: 0.5).delay }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test("jitter stays within ±20 % and within floor and cap")
    func jitter() {
        var low = RestartBackoff(floor: .milliseconds(100), cap: .seconds(10), healthyAfter: .seconds(10), failAfter: 10)
        var high = low
        _ = low.exited(after: .zero, jitter: 0)
        _ = high.exited(after: .zero, jitter: 0.999)
        let lower = low.exited(after: .zero, jitter: 0).delay
        #expect(lower == .milliseconds(160))
        let upper = high.exited(after: .zero, jitter: 0.999).delay
        #expect(upper > .milliseconds(239) && upper <= .milliseconds(240))
    }

    @Test("a process that stayed healthy resets the count")
    func healthyResets() {
        var backoff = RestartBackoff(floor: .milliseconds(100), cap: .seconds(30), healthyAfter: .seconds(10), failAfter: 3)
        _ = backoff.exited(after: .zero, jitter: 0.5)
        _ = backoff.exited(after: .zero, jitter: 0.5)
        let afterHealthy = backoff.exited(after: .seconds(11), jitter: 0.5).delay
        #expect(afterHealthy == .milliseconds(100))
    }

    @Test("after fail_after quick exits the stage is failed and retried at the cap")
    func crashLoop() {
        var backoff = RestartBackoff(floor: .milliseconds(10), cap: .seconds(5), healthyAfter: .seconds(10), failAfter: 2)
        let decisions = (0..<3).map { _ in backoff.exited(after: .zero, jitter: 0.5) }
        #expect(decisions.map(\.failed) == [false, false, true])
        #expect(decisions[2].delay == .seconds(5))
        backoff.recovered()
        #expect(!backoff.failed)
    }

    @Test("the same event in flight across consecutive failures triggers isolation")
    func poison() {
        var tracker = PoisonTracker(threshold: 3)
        let heads: [Int64?] = [7, 7, 7]
        #expect(heads.map { tracker.failed(head: $0) } == [false, false, true])
        tracker.reset()
        let mixed: [Int64?] = [7, 8, 7, nil, 7]
        #expect(mixed.map { tracker.failed(head: $0) } == [false, false, false, false, false])
    }
}
