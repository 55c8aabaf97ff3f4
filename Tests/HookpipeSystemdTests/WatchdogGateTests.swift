import HookpipeSystemd
import Testing

struct WatchdogGateTests {
    let start = ContinuousClock.Instant.now

    @Test func pingsWhileEveryPartIsFresh() {
        var gate = WatchdogGate<ContinuousClock.Instant>(staleAfter: .seconds(30))
        gate.heartbeat("event-loop", at: start)
        gate.heartbeat("chain", at: start + .seconds(10))
        #expect(gate.parts == ["chain", "event-loop"])
        #expect(gate.shouldPing(now: start + .seconds(29)))
        #expect(gate.staleParts(now: start + .seconds(29)).isEmpty)
    }

    @Test func oneStalePartStopsThePings() {
        var gate = WatchdogGate<ContinuousClock.Instant>(staleAfter: .seconds(30))
        gate.heartbeat("event-loop", at: start)
        gate.heartbeat("chain", at: start)
        gate.heartbeat("event-loop", at: start + .seconds(25))
        #expect(!gate.shouldPing(now: start + .seconds(30)))  // chain is exactly 30 s old
        #expect(gate.staleParts(now: start + .seconds(30)) == ["chain"])
        gate.heartbeat("chain", at: start + .seconds(31))
        #expect(gate.shouldPing(now: start + .seconds(31)))
    }

    @Test func aRemovedPartNoLongerCounts() {
        var gate = WatchdogGate<ContinuousClock.Instant>(staleAfter: .seconds(30))
        gate.heartbeat("event-loop", at: start + .seconds(50))
        gate.heartbeat("chain", at: start)
        #expect(!gate.shouldPing(now: start + .seconds(60)))
        gate.remove("chain")
        #expect(gate.shouldPing(now: start + .seconds(60)))
    }

    @Test func anOlderHeartbeatDoesNotRewindAPart() {
        var gate = WatchdogGate<ContinuousClock.Instant>(staleAfter: .seconds(30))
        gate.heartbeat("chain", at: start + .seconds(20))
        gate.heartbeat("chain", at: start)  // reported late by a slow task
        #expect(gate.shouldPing(now: start + .seconds(45)))
    }

    @Test func pingsWithNoPartsRegistered() {
        let gate = WatchdogGate<ContinuousClock.Instant>(staleAfter: .seconds(30))
        #expect(gate.shouldPing(now: start))
    }
}
