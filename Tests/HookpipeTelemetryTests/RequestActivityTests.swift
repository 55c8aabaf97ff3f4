import HookpipeSync
import HookpipeTelemetry
import Testing

@Suite("requests per source and minute")
struct RequestActivityTests {
    @Test("counts land in their minute; the window slides and forgets what is older than it")
    func slides() {
        var buckets = ActivityBuckets(minutes: 3)
        buckets.record(source: "stripe", accepted: true, minute: 10)
        buckets.record(source: "stripe", accepted: false, minute: 10)
        buckets.record(source: "stripe", accepted: true, minute: 12)
        buckets.record(source: "github", accepted: true, minute: 11)
        #expect(buckets.series(endingAt: 12) == [
            .init(source: "github", minutes: [.init(), .init(accepted: 1), .init()]),
            .init(source: "stripe", minutes: [.init(accepted: 1, refused: 1), .init(), .init(accepted: 1)]),
        ])
        // Minute 13 reuses minute 10's slot: the old counts are gone, not added to.
        buckets.record(source: "stripe", accepted: true, minute: 13)
        #expect(buckets.series(endingAt: 13).last == .init(source: "stripe", minutes: [.init(), .init(accepted: 1), .init(accepted: 1)]))
        // An hour later nothing of it is left, though the slots were never rewritten.
        #expect(buckets.series(endingAt: 100).allSatisfy { $0.accepted == 0 && $0.refused == 0 })
        #expect(buckets.series(endingAt: 13).last?.accepted == 2)
    }

    @Test("RequestMetrics records 2xx as accepted and the rest as refused, under the source's name")
    func throughMetrics() {
        let minute = Locked<Int64>(5)
        let activity = RequestActivity(minutes: 60, minuteNow: { minute.withLock { $0 } })
        let metrics = RequestMetrics(source: "stripe", activity: activity)
        metrics.record(outcome: "accepted", status: 200, elapsedNanos: 1)
        metrics.record(outcome: "duplicate", status: 200, elapsedNanos: 1)
        metrics.record(outcome: "signature_mismatch", status: 401, elapsedNanos: 1)
        RequestMetrics.unrouted(activity: activity).record(outcome: "unknown_path", status: 404, elapsedNanos: 1)
        let series = activity.snapshot()
        #expect(series.map(\.source) == ["", "stripe"])
        #expect(series[1].minutes.last == .init(accepted: 2, refused: 1))
        #expect(series[0].refused == 1)
        minute.withLock { $0 = 6 }
        #expect(activity.snapshot()[1].minutes.suffix(2) == [.init(accepted: 2, refused: 1), .init()])
    }
}
