import DequeModule

/// Which stage holds which event, and how far the chain has settled.
///
/// Pure bookkeeping, no I/O (STYLE habit 4): the runner reports what
/// happened (a line was fed, written, emitted; a stage drained or
/// restarted; an event was dead-lettered) and reads back what to write
/// where and the watermark. The invariants it keeps are written out in
/// docs/ARCHITECTURE.md ("Settlement"); in short:
///
/// - Each stage has a FIFO of the lines meant for it, each tagged with the
///   `seq` of the event it derives from and that event's **mark**: a random
///   token drawn when the event was fed, carried in its envelope, never
///   stored and never told to a sender. The first `written` items were
///   written to the stage's current process; the rest wait.
/// - A line the stage emits is *marked* when it carries the mark of an item
///   written to the current process. A marked line of item `p` is evidence
///   that the stage finished every item written **before** `p` (handlers
///   answer in the order they read): those leave the FIFO. It is never
///   evidence about `p` itself, which may still fan out more lines.
/// - Every other line (no mark, a mark hookpipe did not give this process,
///   a sender's `seq`) settles nothing: it is tagged with the lowest tag among
///   the items written to the process, so a tag is never later than the
///   event the line came from.
/// - Items also leave on a drain the runner saw end cleanly (``drained(_:)``)
///   and on a committed dead letter of a parked item (``dropParked(_:seq:)``).
///   Nothing else removes an item.
/// - An event is **settled** once no FIFO holds an item tagged with it; the
///   watermark is the highest seq with everything at or below it settled.
struct SettlementLedger {
    struct Item: Equatable {
        var seq: Int64
        /// The mark of the event this item derives from; `nil` for a line no event explains.
        var mark: UInt64?
        var line: [UInt8]
        /// The line itself carries `mark` (an envelope, or a marked line passed on).
        var markInLine = true
        /// Tagged lower than an item queued before it (after parked items came
        /// back, or after a line no event explains): the FIFO is not sorted.
        var dip = false
    }

    struct StageQueue {
        var items: Deque<Item> = []
        /// How many items (from the front) the current process was given.
        var written = 0
        /// How many of the written items (from the front) the process has
        /// answered: a marked line of their event came out.
        var answered = 0
        /// Highest tag pushed.
        var lastPushed: Int64 = 0
        /// Items with `dip` set still in `items`: while any, the lowest tag is found by a scan.
        var dips = 0
        /// When the stage last showed progress while holding written items:
        /// set when it was given work with none unanswered, and by every marked line.
        var progressSince: ContinuousClock.Instant?
        /// Items set aside while the stage's other suspects are tried; still unsettled.
        var parked: [Item] = []
    }

    /// What a line a stage emitted counts for.
    struct Emission: Equatable {
        /// It carried a mark of an item written to the current process.
        var marked: Bool
        /// It carried a `mark` field that matched nothing held (counted, ignored).
        var foreignMark: Bool
        /// Where the line goes: the next stage or the chain's output.
        var route: Route
    }

    /// What happens to a line a stage emitted.
    enum Route: Equatable {
        /// Queued for the next stage.
        case nextStage
        /// Left the last stage: it was written to the chain's output.
        case output
    }

    private(set) var stages: [StageQueue]
    /// Highest seq fed into the first stage.
    private(set) var maxFed: Int64
    /// Everything at or below this was settled before the chain started.
    private let start: Int64

    init(stageCount: Int, checkpoint: Int64) {
        stages = Array(repeating: StageQueue(), count: stageCount)
        maxFed = checkpoint
        start = checkpoint
    }

    /// The highest seq with everything at or below it settled.
    var watermark: Int64 {
        var lowest = maxFed + 1
        for stage in stages {
            if stage.dips > 0 {
                for item in stage.items where item.seq < lowest { lowest = item.seq }
            } else if let first = stage.items.first, first.seq < lowest {
                lowest = first.seq
            }
            for item in stage.parked where item.seq < lowest { lowest = item.seq }
        }
        return max(start, lowest - 1)
    }

    /// Events fed and not settled (an upper bound when events were dead-lettered out of order).
    var inFlight: Int { Int(maxFed - watermark) }

    /// A new event from the store enters the first stage's FIFO.
    mutating func feed(seq: Int64, mark: UInt64, line: [UInt8]) {
        precondition(!stages.isEmpty, "a chain without stages settles on feed")
        maxFed = max(maxFed, seq)
        push(Item(seq: seq, mark: mark, line: line), to: 0)
    }

    /// Lines waiting to be written to `stage`'s current process, at most `limit`
    /// written-but-unpassed items in total.
    func unwritten(_ stage: Int, limit: Int) -> ArraySlice<Item> {
        let queue = stages[stage]
        let room = max(0, limit - queue.written)
        let end = min(queue.items.count, queue.written + room)
        return ArraySlice(queue.items[queue.written..<end])
    }

    /// The runner wrote the next `count` unwritten items to `stage`.
    mutating func markWritten(_ stage: Int, count: Int, now: ContinuousClock.Instant) {
        guard count > 0 else { return }
        if stages[stage].answered == stages[stage].written { stages[stage].progressSince = now }
        stages[stage].written = min(stages[stage].items.count, stages[stage].written + count)
    }

    /// `stage`'s current process emitted a valid JSON line whose `mark`
    /// field, if any, reads `mark`. Call only for lines of the current
    /// process (and, for the last stage, after the line was written out).
    mutating func emitted(_ stage: Int, mark: UInt64?, line: [UInt8], now: ContinuousClock.Instant) -> Emission {
        var source: Item?
        var marked = false
        if let mark, let position = stages[stage].items.prefix(stages[stage].written).firstIndex(where: { $0.mark == mark }) {
            // Everything written before the first item of this event is finished.
            for _ in 0..<position { removeFront(stage) }
            stages[stage].written -= position
            stages[stage].answered = max(0, stages[stage].answered - position)
            var run = 0
            while run < stages[stage].written, stages[stage].items[run].mark == mark { run += 1 }
            stages[stage].answered = max(stages[stage].answered, run)
            stages[stage].progressSince = now
            source = stages[stage].items.first
            marked = true
        } else if stages[stage].written > 0 {
            source = oldestWritten(stage)
        }
        let emission = Emission(marked: marked, foreignMark: mark != nil && !marked,
                                route: stage + 1 < stages.count ? .nextStage : .output)
        guard stage + 1 < stages.count else { return emission }
        // A line no written item explains (the stage was given nothing): tagged
        // with the highest seq fed, which no settled event can be below.
        let item = Item(seq: source?.seq ?? maxFed, mark: source?.mark, line: line, markInLine: marked)
        push(item, to: stage + 1)
        return emission
    }

    /// `stage`'s process read everything written to it and exited cleanly
    /// after hookpipe closed its stdin: those items are done with this stage.
    mutating func drained(_ stage: Int) {
        for _ in 0..<stages[stage].written { removeFront(stage) }
        stages[stage].written = 0
        stages[stage].answered = 0
        stages[stage].progressSince = nil
    }

    /// `stage`'s process ended without draining: everything written to it
    /// will be written again to the next process.
    mutating func restarted(_ stage: Int) {
        stages[stage].written = 0
        stages[stage].answered = 0
        stages[stage].progressSince = nil
    }

    /// The items the current process was given (suspects when it failed).
    func written(_ stage: Int) -> [Item] {
        Array(stages[stage].items.prefix(stages[stage].written))
    }

    /// Written items whose event had no marked line from the current process.
    func unanswered(_ stage: Int) -> [Item] {
        let queue = stages[stage]
        return Array(queue.items[queue.answered..<queue.written])
    }

    /// Sets the front written item of `stage` aside (still unsettled), so the
    /// next item can be tried on its own.
    mutating func parkFront(_ stage: Int) -> Item? {
        guard stages[stage].written > 0, var item = stages[stage].items.popFirst() else { return nil }
        if item.dip { stages[stage].dips -= 1 }
        item.dip = false
        stages[stage].written -= 1
        stages[stage].answered = max(0, stages[stage].answered - 1)
        stages[stage].parked.append(item)
        return item
    }

    /// Puts parked items back at the front of `stage`'s FIFO, in order, unwritten.
    mutating func unpark(_ stage: Int) {
        let parked = stages[stage].parked.sorted { $0.seq < $1.seq }.map { item in
            var item = item
            item.dip = true
            return item
        }
        stages[stage].parked.removeAll()
        stages[stage].items.insert(contentsOf: parked, at: 0)
        stages[stage].dips += parked.count
        restarted(stage)
    }

    /// Forgets a parked item (its dead letter was committed): it is settled.
    mutating func dropParked(_ stage: Int, seq: Int64) {
        stages[stage].parked.removeAll { $0.seq == seq }
    }

    /// How long `stage` has held written items without showing progress.
    func idleAge(_ stage: Int, now: ContinuousClock.Instant) -> Duration? {
        stages[stage].progressSince.map { now - $0 }
    }

    /// How long `stage` has held an unanswered item without showing progress
    /// (`nil` when every written item was answered: nothing to time out).
    func waitAge(_ stage: Int, now: ContinuousClock.Instant) -> Duration? {
        stages[stage].answered < stages[stage].written ? idleAge(stage, now: now) : nil
    }

    /// Whether `stage` still holds an item of event `seq`.
    func holds(_ stage: Int, seq: Int64) -> Bool {
        stages[stage].items.contains { $0.seq == seq } || stages[stage].parked.contains { $0.seq == seq }
    }

    /// Items queued for or held by `stage`.
    func count(_ stage: Int) -> Int { stages[stage].items.count }

    /// Items written to `stage`'s current process and not yet passed on.
    func writtenCount(_ stage: Int) -> Int { stages[stage].written }

    /// The first written item the current process has not answered yet,
    /// `offset` items further on: the line a pass-through stage emits next.
    func expected(_ stage: Int, offset: Int) -> Item? {
        let position = stages[stage].answered + offset
        return position < stages[stage].written ? stages[stage].items[position] : nil
    }

    /// The written item with the lowest tag: the front, unless the FIFO holds dips.
    private func oldestWritten(_ stage: Int) -> Item? {
        let queue = stages[stage]
        guard queue.dips > 0 else { return queue.items.first }
        return queue.items.prefix(queue.written).min { $0.seq < $1.seq }
    }

    private mutating func removeFront(_ stage: Int) {
        if let item = stages[stage].items.popFirst(), item.dip { stages[stage].dips -= 1 }
    }

    private mutating func push(_ item: Item, to stage: Int) {
        var item = item
        if item.seq < stages[stage].lastPushed {
            item.dip = true
            stages[stage].dips += 1
        }
        stages[stage].lastPushed = max(stages[stage].lastPushed, item.seq)
        stages[stage].items.append(item)
    }
}
