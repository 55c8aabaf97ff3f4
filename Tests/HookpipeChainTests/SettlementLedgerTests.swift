@testable import HookpipeChain
import Testing

@Suite("SettlementLedger")
struct SettlementLedgerTests {
    let t0 = ContinuousClock.now

    func line(_ seq: Int64) -> [UInt8] { Array(#"{"seq":\#(seq)}"#.utf8) }

    /// Feeds seqs into stage 0 and marks them written.
    func fed(_ ledger: inout SettlementLedger, _ seqs: ClosedRange<Int64>) {
        for seq in seqs { ledger.feed(seq: seq, line: line(seq)) }
        ledger.markWritten(0, count: seqs.count, now: t0)
    }

    @Test("a line with seq k leaving the last stage settles everything up to k")
    func settleThroughChain() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 10)
        fed(&ledger, 11...13)
        #expect(ledger.watermark == 10)
        let route2341 = ledger.emitted(0, seq: 11, line: line(11), now: t0)
        #expect(route2341 == .nextStage)
        let route1885 = ledger.emitted(0, seq: 12, line: line(12), now: t0)
        #expect(route1885 == .nextStage)
        ledger.markWritten(1, count: 2, now: t0)
        #expect(ledger.watermark == 10)
        let route7113 = ledger.emitted(1, seq: 12, line: line(12), now: t0)
        #expect(route7113 == .output)
        #expect(ledger.watermark == 12)
        #expect(ledger.inFlight == 1)
    }

    @Test("a filter that drops events settles them when a later seq passes")
    func filterSettlesOnLaterSeq() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...5)
        _ = ledger.emitted(0, seq: 4, line: line(4), now: t0)
        #expect(ledger.watermark == 4)
        #expect(ledger.writtenCount(0) == 1)
    }

    @Test("a sink that emits nothing settles when drained, not before")
    func sinkSettlesOnDrain() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...3)
        ledger.feed(seq: 4, line: line(4))
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
        _ = ledger.emitted(0, seq: 1, line: line(1), now: t0)
        ledger.restarted(0)
        #expect(ledger.writtenCount(0) == 0)
        #expect(ledger.unwritten(0, limit: 10).map(\.seq) == [2, 3])
        #expect(ledger.watermark == 1)
    }

    @Test("lines without seq are attributed to the oldest held event and settle nothing")
    func lineWithoutSeq() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...2)
        let route4306 = ledger.emitted(0, seq: nil, line: Array(#"{"x":1}"#.utf8), now: t0)
        #expect(route4306 == .nextStage)
        #expect(ledger.watermark == 0)
        #expect(ledger.unwritten(1, limit: 10).map(\.seq) == [1])
    }

    @Test("written items are bounded by the stage limit")
    func writeLimit() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        for seq in Int64(1)...10 { ledger.feed(seq: seq, line: line(seq)) }
        #expect(ledger.unwritten(0, limit: 4).count == 4)
        ledger.markWritten(0, count: 4, now: t0)
        #expect(ledger.unwritten(0, limit: 4).isEmpty)
        _ = ledger.emitted(0, seq: 2, line: line(2), now: t0)
        #expect(ledger.unwritten(0, limit: 4).map(\.seq) == [5, 6])
    }

    @Test("removing a dead letter settles it")
    func deadLetterSettles() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        fed(&ledger, 1...3)
        let removed = ledger.remove(0, seq: 1)
        #expect(removed?.seq == 1)
        #expect(ledger.watermark == 1)
        #expect(ledger.writtenCount(0) == 2)
        #expect(!ledger.holds(0, seq: 1))
    }

    @Test("the head age runs from when the front item became the front")
    func headAge() {
        var ledger = SettlementLedger(stageCount: 1, checkpoint: 0)
        #expect(ledger.headAge(0, now: t0) == nil)
        fed(&ledger, 1...2)
        #expect(ledger.headAge(0, now: t0 + .seconds(3)) == .seconds(3))
        _ = ledger.emitted(0, seq: 1, line: line(1), now: t0 + .seconds(5))
        #expect(ledger.headAge(0, now: t0 + .seconds(6)) == .seconds(1))
        _ = ledger.emitted(0, seq: 2, line: line(2), now: t0 + .seconds(7))
        #expect(ledger.headAge(0, now: t0 + .seconds(8)) == nil)
    }

    @Test("out-of-order seqs from a handler cannot break the FIFO order")
    func monotonicPush() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...3)
        _ = ledger.emitted(0, seq: 3, line: line(3), now: t0)
        _ = ledger.emitted(0, seq: 1, line: line(1), now: t0)
        #expect(ledger.unwritten(1, limit: 10).map(\.seq) == [3, 3])
    }

    @Test("written items are exposed in order; a pushed line without seq is marked so")
    func writtenItems() {
        var ledger = SettlementLedger(stageCount: 2, checkpoint: 0)
        fed(&ledger, 1...2)
        #expect(ledger.writtenItem(0, at: 0)?.seq == 1)
        #expect(ledger.writtenItem(0, at: 0)?.seqInLine == true)
        #expect(ledger.writtenItem(0, at: 2) == nil)
        _ = ledger.emitted(0, seq: nil, line: Array(#"{"x":1}"#.utf8), now: t0)
        ledger.markWritten(1, count: 1, now: t0)
        #expect(ledger.writtenItem(1, at: 0)?.seqInLine == false)
        #expect(ledger.writtenItem(1, at: 0)?.seq == 1)
    }
}
