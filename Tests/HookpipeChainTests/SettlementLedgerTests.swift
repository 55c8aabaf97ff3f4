@testable import HookpipeChain
import Testing

@Suite("SettlementLedger")
struct SettlementLedgerTests {
    let t0 = ContinuousClock.now

    /// The mark event `seq` is fed with in these tests.
    func mark(_ seq: Int64) -> UInt64 { 0xA000 + UInt64(seq) }
    func line(_ seq: Int64) -> [UInt8] { Array(#"{"seq":\#(seq)}"#.utf8) }

    /// Feeds seqs into stage 0 and marks them written.
    func fed(_ ledger: inout SettlementLedger, _ seqs: ClosedRange<Int64>) {
        for seq in seqs { ledger.feed(seq: seq, mark: mark(seq), line: line(seq)) }
        ledger.markWritten(0, count: seqs.count, now: t0)
    }

    /// `stage` emits a line carrying event `seq`'s mark.
    @discardableResult
    func emit(_ ledger: inout SettlementLedger, _ stage: Int, _ seq: Int64, at now: ContinuousClock.Instant? = nil) -> SettlementLedger.Emission {
        ledger.emitted(stage, mark: mark(seq), line: line(seq), now: now ?? t0)
    }

    @Test("a marked line settles what the stage moved past, never its own event")
    func settlesWhatWasPassed() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 10)
        fed(&ledger, 11...13)
        #expect(emit(&ledger, 0, 11).route == .nextStage)
        #expect(emit(&ledger, 0, 12).marked)
        ledger.markWritten(1, count: 2, now: t0)
        #expect(ledger.watermark == 10)
        #expect(emit(&ledger, 1, 11).route == .output)
        #expect(ledger.watermark == 10, "11 may still fan out more lines at the last stage")
        emit(&ledger, 1, 12)
        #expect(ledger.watermark == 11)
        #expect(ledger.inFlight == 2)
    }

    @Test("every line of a fan-out stays held until the stage moves past the event")
    func fanOutHeldUntilPassed() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...2)
        for _ in 0..<3 { emit(&ledger, 0, 1) }
        ledger.markWritten(1, count: 3, now: t0)
        emit(&ledger, 1, 1)
        #expect(ledger.writtenCount(1) == 3, "the first line of event 1 settles none of its three lines")
        ledger.restarted(1)
        #expect(ledger.unwritten(1, limit: 10).count == 3)
        #expect(ledger.watermark == 0)
    }

    @Test("a filter that drops events settles them when a later event's line passes")
    func filterSettlesOnLaterMark() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...5)
        emit(&ledger, 0, 4)
        #expect(ledger.watermark == 3)
        #expect(ledger.writtenCount(0) == 2)
        #expect(ledger.unanswered(0).map(\.seq) == [5])
    }

    @Test("a mark the stage was not given, or no mark, settles nothing and is tagged with the oldest held event")
    func foreignAndMissingMarks() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...3)
        let forged = ledger.emitted(0, mark: 0xDEAD_BEEF, line: Array(#"{"seq":1000000}"#.utf8), now: t0)
        #expect(forged == .init(marked: false, foreignMark: true, route: .nextStage))
        let bare = ledger.emitted(0, mark: nil, line: Array(#"{"x":1}"#.utf8), now: t0)
        #expect(!bare.marked && !bare.foreignMark)
        #expect(ledger.writtenCount(0) == 3)
        #expect(ledger.watermark == 0)
        #expect(ledger.unwritten(1, limit: 10).map(\.seq) == [1, 1])
        #expect(ledger.unwritten(1, limit: 10).allSatisfy { !$0.markInLine })
    }

    @Test("a mark of an item fed but not yet written to the process is not evidence")
    func unwrittenMarkIsNotEvidence() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...2)
        ledger.feed(seq: 3, mark: mark(3), line: line(3))
        #expect(emit(&ledger, 0, 3).foreignMark)
        #expect(ledger.writtenCount(0) == 2)
        #expect(ledger.watermark == 0)
    }

    @Test("a sink settles when drained, not before")
    func sinkSettlesOnDrain() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...3)
        ledger.feed(seq: 4, mark: mark(4), line: line(4))
        #expect(ledger.watermark == 0)
        ledger.drained(0)
        #expect(ledger.watermark == 3)
        #expect(ledger.count(0) == 1)
        #expect(ledger.unwritten(0, limit: 10).map(\.seq) == [4])
    }

    @Test("a restart makes every written item unwritten again, in order")
    func restartRefeeds() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...3)
        emit(&ledger, 0, 2)
        ledger.restarted(0)
        #expect(ledger.writtenCount(0) == 0)
        #expect(ledger.unwritten(0, limit: 10).map(\.seq) == [2, 3])
        #expect(ledger.watermark == 1)
    }

    @Test("written items are bounded by the stage limit")
    func writeLimit() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        for seq in Int64(1)...10 { ledger.feed(seq: seq, mark: mark(seq), line: line(seq)) }
        #expect(ledger.unwritten(0, limit: 4).count == 4)
        ledger.markWritten(0, count: 4, now: t0)
        #expect(ledger.unwritten(0, limit: 4).isEmpty)
        emit(&ledger, 0, 3)
        #expect(ledger.unwritten(0, limit: 4).map(\.seq) == [5, 6])
    }

    @Test("a parked item is held until its dead letter is dropped")
    func deadLetterSettles() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...3)
        #expect(ledger.parkFront(0)?.seq == 1)
        ledger.restarted(0)
        ledger.markWritten(0, count: 2, now: t0)
        ledger.drained(0)
        #expect(ledger.watermark == 0)
        #expect(ledger.holds(0, seq: 1))
        ledger.dropParked(0, seq: 1)
        #expect(ledger.watermark == 3)
        #expect(!ledger.holds(0, seq: 1))
    }

    @Test("the wait age runs while an unanswered item is held; the idle age while anything is")
    func timers() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        #expect(ledger.waitAge(0, now: t0) == nil)
        fed(&ledger, 1...2)
        #expect(ledger.waitAge(0, now: t0 + .seconds(3)) == .seconds(3))
        emit(&ledger, 0, 1, at: t0 + .seconds(5))
        #expect(ledger.waitAge(0, now: t0 + .seconds(6)) == .seconds(1))
        emit(&ledger, 0, 2, at: t0 + .seconds(7))
        #expect(ledger.waitAge(0, now: t0 + .seconds(8)) == nil, "everything written was answered: nothing can be hung")
        #expect(ledger.idleAge(0, now: t0 + .seconds(8)) == .seconds(1), "but event 2 is held until a drain")
        ledger.drained(0)
        #expect(ledger.idleAge(0, now: t0 + .seconds(9)) == nil)
    }

    @Test("parked items that come back keep the watermark below them")
    func unparkedItemsHoldTheWatermark() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...3)
        _ = ledger.parkFront(0)
        ledger.restarted(0)
        ledger.markWritten(0, count: 2, now: t0)
        emit(&ledger, 0, 3)
        #expect(ledger.watermark == 0)
        ledger.unpark(0)
        #expect(ledger.unwritten(0, limit: 10).map(\.seq) == [1, 3])
        ledger.markWritten(0, count: 2, now: t0)
        // Event 1's line, tagged 1, now follows event 3's in the next stage: out of order.
        _ = ledger.emitted(0, mark: nil, line: line(1), now: t0)
        ledger.drained(0)
        #expect(ledger.unwritten(1, limit: 10).map(\.seq) == [3, 1])
        #expect(ledger.watermark == 0)
        ledger.markWritten(1, count: 2, now: t0)
        ledger.drained(1)
        #expect(ledger.watermark == 3)
    }

    @Test("the next expected line skips what the process already answered")
    func expectedLine() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...3)
        #expect(ledger.expected(0, offset: 0)?.seq == 1)
        emit(&ledger, 0, 1)
        #expect(ledger.expected(0, offset: 0)?.seq == 2)
        #expect(ledger.expected(0, offset: 1)?.seq == 3)
        #expect(ledger.expected(0, offset: 2) == nil)
    }
}
