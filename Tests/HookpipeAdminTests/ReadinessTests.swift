import HookpipeAdmin
import Testing

@Suite("Readiness")
struct ReadinessTests {
    @Test("ready when the store answers, no commit failed and no stage is failed")
    func ready() {
        let stages = [ChainSample.Stage(name: "a", failed: false), ChainSample.Stage(name: "b", failed: false)]
        let readiness = Readiness.evaluate(store: .answered, recentCommitFailure: nil, stages: stages)
        #expect(readiness.isReady)
        #expect(readiness.reasons.isEmpty)
        #expect(Readiness.evaluate(store: .answered, recentCommitFailure: nil, stages: []).isReady)
    }

    @Test("each failed stage is a reason, by name")
    func failedStages() {
        let stages = [ChainSample.Stage(name: "ok", failed: false), ChainSample.Stage(name: "jq", failed: true),
                      ChainSample.Stage(name: "sink", failed: true)]
        let readiness = Readiness.evaluate(store: .answered, recentCommitFailure: nil, stages: stages)
        #expect(!readiness.isReady)
        #expect(readiness.reasons == ["stage jq: failed (crash-looping)", "stage sink: failed (crash-looping)"])
    }

    @Test("a store that fails, times out, or failed its last commit is not ready")
    func store() {
        let failed = Readiness.evaluate(store: .failed("SQLite 14: unable to open"), recentCommitFailure: nil, stages: [])
        #expect(failed.reasons == ["store: query failed: SQLite 14: unable to open"])
        let slow = Readiness.evaluate(store: .timedOut(.seconds(2)), recentCommitFailure: nil, stages: [])
        #expect(slow.reasons == ["store: no answer within 2.0 seconds"])
        let full = Readiness.evaluate(store: .answered, recentCommitFailure: "store_full", stages: [])
        #expect(full.reasons == ["store: last commit failed (store_full)"])
    }

    @Test("damage found by the integrity check is a reason: the first problem, and how many more")
    func damage() {
        let one = Readiness.evaluate(store: .answered, recentCommitFailure: nil, storeDamage: ["Tree 4 page 9: btreeInitPage() returns error code 11"],
                                     stages: [])
        #expect(one.reasons == ["store: the file is damaged: Tree 4 page 9: btreeInitPage() returns error code 11"])
        let three = Readiness.evaluate(store: .answered, recentCommitFailure: nil, storeDamage: ["a", "b", "c"], stages: [])
        #expect(three.reasons == ["store: the file is damaged: a (and 2 more)"])
        #expect(Readiness.evaluate(store: .answered, recentCommitFailure: nil, storeDamage: [], stages: []).isReady)
    }

    @Test("all reasons are listed together, store first")
    func combined() {
        let readiness = Readiness.evaluate(store: .timedOut(.milliseconds(500)), recentCommitFailure: "store_unavailable",
                                           stages: [ChainSample.Stage(name: "x", failed: true)])
        #expect(readiness.reasons.count == 3)
        #expect(readiness.reasons.first?.hasPrefix("store: no answer") == true)
        #expect(readiness.reasons.last == "stage x: failed (crash-looping)")
    }
}
