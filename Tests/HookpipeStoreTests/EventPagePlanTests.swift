import HookpipeStore
import Testing

/// The arithmetic of event pages, without a database.
@Suite("EventPagePlan")
struct EventPagePlanTests {
    func summary(_ seq: Int64) -> EventSummary {
        EventSummary(seq: seq, source: "s", dedupeKey: "k\(seq)", receivedAtMicros: seq, payloadBytes: 2, deadLettered: false)
    }

    /// A plan for a store whose default window is 100,000.
    static func plan(_ query: EventPageQuery) -> EventPagePlan { EventPagePlan(query, defaultScanWindow: 100_000) }

    func settled(_ query: EventPageQuery, newest: Int64?) -> EventPagePlan {
        var plan = Self.plan(query)
        plan.settle(newest: newest)
        return plan
    }

    @Test("limit and window are clamped, a negative checkpoint is 0, when made and when set")
    func clamps() {
        #expect(EventPageQuery(limit: 0).limit == 1)
        #expect(EventPageQuery(limit: 500).limit == 200)
        #expect(EventPageQuery().limit == 50)
        #expect(EventPageQuery(scanWindow: 0).scanWindow == 1)
        #expect(EventPageQuery(scanWindow: .max).scanWindow == 1_000_000)
        #expect(EventPageQuery().scanWindow == nil)
        #expect(Self.plan(EventPageQuery()).scanWindow == 100_000, "nil: the store's default")
        #expect(Self.plan(EventPageQuery(scanWindow: 7)).scanWindow == 7)
        #expect(EventPageQuery(checkpoint: -5).checkpoint == 0)
        var query = EventPageQuery()
        query.limit = 0
        query.scanWindow = -1
        query.checkpoint = .max
        #expect(query.limit == 1 && query.scanWindow == 1 && query.checkpoint == .max - 1, "set later, clamped all the same")
    }

    @Test("a page starts at the newest event below the cursor, never in a gap, and examines one window")
    func windows() {
        #expect(Self.plan(EventPageQuery()).unsettledUpper == .max)
        #expect(settled(EventPageQuery(scanWindow: 100), newest: 1000).firstScan == .range(901...1000))
        #expect(settled(EventPageQuery(beforeSeq: 500, scanWindow: 100), newest: 300).firstScan == .range(201...300))
        #expect(settled(EventPageQuery(beforeSeq: 500, scanWindow: 1000), newest: 300).firstScan == .range(1...300))
        #expect(settled(EventPageQuery(), newest: nil).firstScan == .nothing)
        #expect(Self.plan(EventPageQuery(beforeSeq: 1)).unsettledUpper == nil, "nothing below seq 1: no query at all")
        #expect(Self.plan(EventPageQuery(beforeSeq: 1)).firstScan == .nothing)
        #expect(settled(EventPageQuery(beforeSeq: 1), newest: nil).firstScan == .nothing)
        #expect(Self.plan(EventPageQuery(beforeSeq: -3)).firstScan == .nothing)
    }

    @Test("pending starts above the checkpoint, delivered ends at it; both exclude dead letters, which dead-lettered walks")
    func outcomes() {
        let pending = settled(EventPageQuery(outcome: .pending, checkpoint: 40, scanWindow: 100), newest: 90)
        #expect(pending.floor == 41 && pending.driver == .events)
        #expect(pending.firstScan == .range(41...90))
        #expect(pending.conditions == [.deadLettered(false)])
        let delivered = Self.plan(EventPageQuery(outcome: .delivered, checkpoint: 40, scanWindow: 10))
        #expect(delivered.unsettledUpper == 41)
        #expect(settled(EventPageQuery(outcome: .delivered, checkpoint: 40, scanWindow: 10), newest: 40).firstScan == .range(31...40))
        #expect(delivered.conditions == [.deadLettered(false)])
        var letters = settled(EventPageQuery(source: "a", outcome: .deadLettered, checkpoint: 40, scanWindow: 3), newest: 700)
        #expect(letters.driver == .deadLetters)
        #expect(letters.conditions == [.source("a"), .deadLettered(true)])
        #expect(letters.unsizedWindow?.below == 701 && letters.unsizedWindow?.count == 3)
        letters.sizeWindow(lowest: 300)
        #expect(letters.unsizedWindow == nil)
        #expect(letters.firstScan == .range(300...700), "three dead letters, however far apart")
        letters = settled(EventPageQuery(outcome: .deadLettered, scanWindow: 3), newest: 700)
        letters.sizeWindow(lowest: nil)
        #expect(letters.firstScan == .range(1...700), "fewer than three left")
        #expect(Self.plan(EventPageQuery(outcome: .pending, checkpoint: 40, beforeSeq: 41)).firstScan == .nothing)
    }

    @Test("a full page continues below its last event; a short one below its window, at the next older event; none left: no cursor")
    func cursors() {
        let plan = settled(EventPageQuery(limit: 2, scanWindow: 100), newest: 1000)
        let scan = plan.firstScan
        #expect(plan.olderBound(after: scan, rowCount: 3) == nil)
        let full = plan.page(after: scan, rows: [summary(990), summary(950), summary(920)], olderSeq: nil)
        #expect(full.events.map(\.seq) == [990, 950])
        #expect(full.nextBeforeSeq == 950)
        #expect(full.scanned == 950...1000)
        #expect(plan.olderBound(after: scan, rowCount: 1) == 901)
        let short = plan.page(after: scan, rows: [summary(990)], olderSeq: 700)
        #expect(short.events.map(\.seq) == [990])
        #expect(short.nextBeforeSeq == 701)
        #expect(short.scannedDownTo == 901)
        let last = plan.page(after: scan, rows: [], olderSeq: nil)
        #expect(last.nextBeforeSeq == nil && last.scanned == 901...1000 && last.events.isEmpty)
        let nothing = settled(EventPageQuery(), newest: nil)
        #expect(nothing.page(after: nothing.firstScan, rows: [], olderSeq: nil) == EventPage(events: [], nextBeforeSeq: nil, scanned: nil))
    }

    @Test("pages joined: the older one's events after the newer's, one searched range; cut at the limit, it continues below the last kept")
    func joined() {
        let newer = EventPage(events: [summary(990)], nextBeforeSeq: 901, scanned: 901...1000)
        let older = EventPage(events: [summary(850), summary(820)], nextBeforeSeq: 801, scanned: 801...900)
        #expect(newer.followed(by: older, limit: 5) == EventPage(events: [summary(990), summary(850), summary(820)], nextBeforeSeq: 801,
                                                                 scanned: 801...1000))
        #expect(newer.followed(by: older, limit: 2) == EventPage(events: [summary(990), summary(850)], nextBeforeSeq: 850,
                                                                 scanned: 850...1000))
        let last = EventPage(events: [], nextBeforeSeq: nil, scanned: 1...800)
        #expect(older.followed(by: last, limit: 5) == EventPage(events: older.events, nextBeforeSeq: nil, scanned: 1...900))
        let none = EventPage(events: [], nextBeforeSeq: nil, scanned: nil)
        #expect(none.followed(by: none, limit: 5) == none)
    }

    @Test("an id is asked of the dedupe index; its answer is cut to the page's bounds and limit, newest first; no answer: a window")
    func lookups() {
        let plan = settled(EventPageQuery(id: "evt_1", beforeSeq: 100, limit: 2, scanWindow: 10), newest: 99)
        #expect(plan.firstScan == .lookup(id: "evt_1", source: nil))
        #expect(plan.afterLookup([5, 120, 40, 40, 60]) == .seqs([60, 40]))
        #expect(plan.afterLookup([120]) == .range(90...99))
        #expect(plan.afterLookup([]) == .range(90...99))
        #expect(plan.olderBound(after: .seqs([60, 40]), rowCount: 0) == 40)
        let page = plan.page(after: .seqs([60, 40]), rows: [summary(60)], olderSeq: 5)
        #expect(page.events.map(\.seq) == [60])
        #expect(page.nextBeforeSeq == 6)
        #expect(page.scanned == 40...99)
        let bySource = settled(EventPageQuery(source: "a", id: "evt_1"), newest: 3)
        #expect(bySource.firstScan == .lookup(id: "evt_1", source: "a"))
    }

    @Test("a time is found by bisection from slightly above it; the jump lowers the page's top")
    func timeJump() throws {
        var plan = settled(EventPageQuery(receivedAtOrBeforeMicros: 5_000_000), newest: 1000)
        var bisection = try #require(plan.bisection)
        #expect(bisection.target == 6_000_000)
        #expect(bisection.nextProbe == 1000..<1001)
        bisection.record(seq: 1000, receivedAtMicros: 9_000_000)
        while let probe = bisection.nextProbe { bisection.record(seq: probe.lowerBound, receivedAtMicros: probe.lowerBound * 10_000) }
        #expect(bisection.end == 601)
        plan.jump(to: bisection)
        #expect(plan.upper == 601 && plan.unsettledUpper == nil)
        #expect(plan.bisection?.nextProbe == 600..<601, "a later page starts with the top, already before the target")
        var letters = settled(EventPageQuery(receivedAtOrBeforeMicros: 5, outcome: .deadLettered), newest: 900)
        letters.jump(to: SeqBisection(target: 5, searching: 1..<2))
        #expect(letters.unsettledUpper == nil && letters.firstScan == .nothing)
        letters = settled(EventPageQuery(receivedAtOrBeforeMicros: 5, outcome: .deadLettered), newest: 900)
        var middle = SeqBisection(target: 5, searching: 1..<901)
        while middle.nextProbe != nil { middle.record(seq: 300, receivedAtMicros: 5) }
        letters.jump(to: middle)
        #expect(letters.unsettledUpper == 301, "the dead letters below the jump are looked up again")
    }

    @Test("paging to the end lists every selected event once, newest first, each page within its window", arguments: [1, 3, 50])
    func pagingMatchesTheSlowWay(limit: Int) {
        var model = Self.randomJournal(count: 400, seed: UInt64(limit))
        let sources: [String?] = [nil, "a", "rare"]
        let ids: [String?] = [nil, "k17", "shared0", "reused1", "missing"]
        let times: [Int64?] = [nil, 3_000_000_000, 1]
        let outcomes: [EventPageQuery.Outcome?] = [nil] + EventPageQuery.Outcome.allCases
        for source in sources {
            for id in ids {
                for time in times {
                    for outcome in outcomes {
                        for window in [25, 1000] as [Int64] {
                            let query = EventPageQuery(source: source, id: id, receivedAtOrBeforeMicros: time, outcome: outcome,
                                                       checkpoint: 400, limit: limit, scanWindow: window)
                            let pages = model.allPages(query)
                            let listed = pages.flatMap(\.events)
                            #expect(listed == model.expected(query), "\(query)")
                            let ranges = pages.compactMap(\.scanned)
                            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.lowerBound > $1.upperBound }, "\(query)")
                            #expect(ranges.allSatisfy { $0.count <= window || id != nil || outcome == .deadLettered }, "\(query)")
                            #expect(pages.last?.nextBeforeSeq == nil, "\(query)")
                        }
                    }
                }
            }
        }
    }

    @Test("received_at a little out of order is still found; every event listed was received at or before the time")
    func outOfOrderTimes() {
        var model = EventPageModel()
        for seq in 1...100 { model.append("a", "k\(seq)", receivedAtMicros: Int64(seq) * 10_000_000) }
        model.events[50].receivedAtMicros = 499_500_000   // seq 51: received before seq 50 (500 s)
        model.events[9].receivedAtMicros = 10_000_000_000  // seq 10: a clock far ahead
        let query = EventPageQuery(receivedAtOrBeforeMicros: 499_700_000, limit: 10, scanWindow: 20)
        let expected: [Int64] = [51] + (1...49).reversed().filter { $0 != 10 }
        #expect(model.allPages(query).flatMap(\.events).map(\.seq) == expected)
    }

    /// `count` events over three sources ("rare" only twice), keys unique per
    /// source except "shared*" (once in each of a and b) and "reused*" (twice
    /// in a), received in seq order; a stretch of 30 numbers pruned after one
    /// in ten, one in 25 dead-lettered, all placed by `seed`.
    static func randomJournal(count: Int, seed: UInt64) -> EventPageModel {
        var model = EventPageModel()
        var seq: Int64 = 0
        for index in 0..<count {
            let mixed = ((UInt64(index) &+ seed) &* 0x9E37_79B9_7F4A_7C15) >> 32
            seq += mixed % 10 == 0 ? 30 : 1
            let source = index == 60 || index == 340 ? "rare" : mixed % 3 == 0 ? "a" : "b"
            var key = "k\(index)"
            if index % 97 == 0 { key = "shared\(index / 194)" }
            if index == 150 || index == 350 { key = "reused1" }
            let keySource = key.hasPrefix("shared") ? ((index / 97) % 2 == 0 ? "a" : "b") : key.hasPrefix("reused") ? "a" : source
            model.append(keySource, key, receivedAtMicros: Int64(index) * 10_000_000, seq: seq)
            if mixed % 25 == 7 { model.deadLettered.insert(seq) }
        }
        return model
    }
}
