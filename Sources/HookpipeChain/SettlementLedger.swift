import DequeModule

/// Which stage holds which event, and how far the chain has settled.
///
/// Pure bookkeeping, no I/O (STYLE habit 4): the runner reports what
/// happened (a line was fed, written, emitted; a stage drained or
/// restarted; an event was dead-lettered) and reads back what to write
/// where and the checkpoint.
///
/// Each stage has a FIFO of the lines meant for it, each tagged with the
/// `seq` of the event it derives from. The first `written` items have been
/// written to the stage's current process; the rest wait. A line the stage
/// emits carrying seq `k` means the stage is done with every written item up
/// to `k`: those are popped (the ones other than `k` were filtered out), and
/// the emitted line joins the next stage's FIFO (or leaves the chain).
/// An event is **settled** once no FIFO holds it; the watermark is the
/// highest seq with everything at or below it settled.
struct SettlementLedger {
    struct Item: Equatable {
        var seq: Int64
        var line: [UInt8]
        /// The line itself carries `"seq": seq` (false when the seq was attributed).
        var seqInLine = true
    }

    struct StageQueue {
        var items: Deque<Item> = []
        /// How many items (from the front) the current process was given.
        var written = 0
        /// Highest seq pushed, so FIFOs stay ordered even if a handler emits out of order.
        var lastPushed: Int64 = 0
        /// When the current front written item became the front: the stage has
        /// been working on it since then.
        var headSince: ContinuousClock.Instant?
        /// Items set aside while the stage's other suspects are tried; still unsettled.
        var parked: [Item] = []
    }

    /// What happens to a line a stage emitted.
    enum Route: Equatable {
        /// Queued for the next stage.
        case nextStage
        /// Left the last stage: write it to the chain's output.
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
            if let first = stage.items.first, first.seq < lowest { lowest = first.seq }
            for item in stage.parked where item.seq < lowest { lowest = item.seq }
        }
        return max(start, lowest - 1)
    }

    /// Events fed and not settled (an upper bound when events were dead-lettered out of order).
    var inFlight: Int { Int(maxFed - watermark) }

    /// A new event from the store enters the first stage's FIFO.
    mutating func feed(seq: Int64, line: [UInt8]) {
        precondition(!stages.isEmpty, "a chain without stages settles on feed")
        maxFed = max(maxFed, seq)
        push(Item(seq: seq, line: line), to: 0)
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
        if stages[stage].written == 0 && count > 0 { stages[stage].headSince = now }
        stages[stage].written = min(stages[stage].items.count, stages[stage].written + count)
    }

    /// `stage` emitted a (valid JSON) line; `seq` is its `seq` field, if any.
    /// A line without seq is attributed to the oldest event the stage holds.
    mutating func emitted(_ stage: Int, seq: Int64?, line: [UInt8], now: ContinuousClock.Instant) -> Route {
        // Mutated in place: copying the queue out would copy its whole Deque per line.
        let attributed = seq ?? stages[stage].items.first?.seq ?? stages[stage].lastPushed
        if let seq {
            var popped = false
            while stages[stage].written > 0, let first = stages[stage].items.first, first.seq <= seq {
                stages[stage].items.removeFirst()
                stages[stage].written -= 1
                popped = true
            }
            if popped { stages[stage].headSince = stages[stage].written > 0 ? now : nil }
        }
        if stage + 1 < stages.count {
            push(Item(seq: attributed, line: line, seqInLine: seq != nil), to: stage + 1)
            return .nextStage
        }
        return .output
    }

    /// `stage`'s process read everything written to it and exited cleanly
    /// after its stdin was closed: those items are done with this stage.
    mutating func drained(_ stage: Int) {
        stages[stage].items.removeFirst(stages[stage].written)
        stages[stage].written = 0
        stages[stage].headSince = nil
    }

    /// `stage`'s process ended without draining: everything written to it
    /// will be written again to the next process.
    mutating func restarted(_ stage: Int) {
        stages[stage].written = 0
        stages[stage].headSince = nil
    }

    /// The items the current process was given (suspects when it failed).
    func written(_ stage: Int) -> [Item] {
        Array(stages[stage].items.prefix(stages[stage].written))
    }

    /// Removes the first item of `stage` with `seq` (a dead letter); it is settled.
    mutating func remove(_ stage: Int, seq: Int64) -> Item? {
        guard let index = stages[stage].items.firstIndex(where: { $0.seq == seq }) else { return nil }
        if index < stages[stage].written { stages[stage].written -= 1 }
        return stages[stage].items.remove(at: index)
    }

    /// Sets the front written item of `stage` aside (still unsettled), so the
    /// next item can be tried on its own.
    mutating func parkFront(_ stage: Int) -> Item? {
        guard stages[stage].written > 0, let item = stages[stage].items.popFirst() else { return nil }
        stages[stage].written -= 1
        stages[stage].parked.append(item)
        return item
    }

    /// Puts parked items back at the front of `stage`'s FIFO, in order, unwritten.
    mutating func unpark(_ stage: Int) {
        let parked = stages[stage].parked.sorted { $0.seq < $1.seq }
        stages[stage].parked.removeAll()
        stages[stage].items.insert(contentsOf: parked, at: 0)
        stages[stage].written = 0
        stages[stage].headSince = nil
    }

    /// Forgets a parked item (it was dead-lettered): it is settled.
    mutating func dropParked(_ stage: Int, seq: Int64) {
        stages[stage].parked.removeAll { $0.seq == seq }
    }

    /// How long `stage` has been working on its oldest written item.
    func headAge(_ stage: Int, now: ContinuousClock.Instant) -> Duration? {
        stages[stage].headSince.map { now - $0 }
    }

    /// Whether `stage` still holds an item of event `seq`.
    func holds(_ stage: Int, seq: Int64) -> Bool {
        stages[stage].items.contains { $0.seq == seq } || stages[stage].parked.contains { $0.seq == seq }
    }

    /// Items queued for or held by `stage`.
    func count(_ stage: Int) -> Int { stages[stage].items.count }

    /// Items written to `stage`'s current process and not yet passed on.
    func writtenCount(_ stage: Int) -> Int { stages[stage].written }

    /// The `position`th item written to `stage`'s current process, if any.
    func writtenItem(_ stage: Int, at position: Int) -> Item? {
        position < stages[stage].written ? stages[stage].items[position] : nil
    }

    private mutating func push(_ item: Item, to stage: Int) {
        var item = item
        if item.seq < stages[stage].lastPushed { item.seqInLine = false }
        item.seq = max(item.seq, stages[stage].lastPushed)
        stages[stage].lastPushed = item.seq
        stages[stage].items.append(item)
    }
}
