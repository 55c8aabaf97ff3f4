@testable import HookpipeChain
import Testing

/// Model-based test of settlement (issue 21): random chains of simulated
/// handlers — pass, filter, fan out, strip the envelope (exposing a
/// sender's own `mark`), sink — that crash, hang, exit 0 when killed, lose
/// their output reader, meet failed output writes, have suspects parked and
/// dead-lettered, and are stopped at random deadlines. The simulated runner
/// drives the real ``SettlementLedger`` and ``ExitEvidence`` the way
/// `ChainRunner` does.
///
/// The property, checked after every step: every event at or below the
/// watermark was dead-lettered, or every line derived from it was finished
/// by every stage — consumed, and all its output handed on (for the last
/// stage: written to the output). A final calm phase checks that everything
/// does settle.
@Suite("Settlement model")
struct SettlementModelTests {
    @Test("thousands of random chains settle only what was processed", arguments: 0..<8)
    func randomChains(shard: Int) {
        for seed in 0..<300 {
            var model = SettlementModel(seed: UInt64(shard * 1_000 + seed))
            if let failure = model.run() {
                Issue.record("seed \(shard * 1_000 + seed): \(failure)")
                return
            }
        }
    }

    @Test("the model catches a ledger that settles on an event's own first line")
    func modelCanFail() {
        // The old rule (a line of event k settles k itself) loses fan-out lines;
        // the same model, told to apply it, must find a violation.
        var found = false
        for seed in 0..<300 where !found {
            var model = SettlementModel(seed: UInt64(seed))
            model.settleOnOwnLine = true
            found = model.run() != nil
        }
        #expect(found)
    }
}

/// SplitMix64: small, seeded, reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One simulated chain and its runner.
struct SettlementModel {
    enum Behaviour: CaseIterable {
        case pass, filter, fanOut, strip, sink
    }

    /// A line as the simulation knows it; its bytes are its text.
    struct Line: Hashable {
        var event: Int
        var path: String
        var marked: Bool

        var bytes: [UInt8] { Array("e\(event)\(path)\(marked ? "+m" : "")".utf8) }
    }

    struct Output {
        var of: Line
        var line: Line
        /// The last output of `of`: once it is handed on, `of` is finished.
        var last: Bool
    }

    struct Process {
        var generation: Int
        var stdin: [Line] = []
        var consumed = 0
        var stdout: [Output] = []
        var stdinClosed = false
        var hung = false
        var killed = false
        /// Exits 0 when signalled (a handler trapping SIGTERM).
        var exitsCleanlyOnSignal = false
    }

    var random: SeededGenerator
    let eventCount: Int
    let behaviours: [Behaviour]
    let fanOut: Int
    let filterModulus: Int
    var ledger: SettlementLedger
    var processes: [Process]
    /// The real mark of each event, and what a sender put in its payload's `mark`.
    var marks: [Int: UInt64] = [:]
    var senderMarks: [Int: UInt64] = [:]
    /// Lines each stage finished.
    var finished: [Set<Line>]
    var output: [Line] = []
    var deadLettered: Set<Int> = []
    var fed = 0
    var checkedUpTo: Int64 = 0
    var generation = 0
    /// The old, unsound rule: a marked line settles its own item too.
    var settleOnOwnLine = false
    /// The last stage's reader is stuck retrying a failed output write.
    var outputBlocked = false
    var parkedStage: Int?
    /// What happened, for the failure message.
    var trace: [String] = []

    init(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        eventCount = Int.random(in: 3...14, using: &random)
        let stageCount = Int.random(in: 1...4, using: &random)
        var behaviours: [Behaviour] = []
        for _ in 0..<stageCount { behaviours.append(Behaviour.allCases.randomElement(using: &random)!) }
        self.behaviours = behaviours
        fanOut = Int.random(in: 2...3, using: &random)
        filterModulus = Int.random(in: 2...3, using: &random)
        self.random = random
        ledger = SettlementLedger(stageCount: stageCount, checkpoint: 0)
        processes = []
        finished = Array(repeating: [], count: stageCount)
        for index in 0..<stageCount { processes.append(Process(generation: index)) }
        generation = stageCount
    }

    var stageCount: Int { behaviours.count }

    // MARK: - The handlers

    /// What stage `stage` writes for `line`.
    func outputs(_ stage: Int, _ line: Line) -> [Line] {
        switch behaviours[stage] {
        case .pass: [line]
        case .filter: line.event % filterModulus == 0 ? [] : [line]
        case .fanOut: (0..<fanOut).map { Line(event: line.event, path: line.path + ".\($0)", marked: line.marked) }
        case .strip: [Line(event: line.event, path: line.path + "/p", marked: false)]
        case .sink: []
        }
    }

    /// The `mark` field the runner would parse from a line: the event's own
    /// mark if the line kept it; after a strip, whatever the sender put there.
    func markField(_ line: Line) -> UInt64? {
        line.marked ? marks[line.event] : (line.path.hasSuffix("/p") ? senderMarks[line.event] : nil)
    }

    /// Every line event `event` should bring to each stage.
    func expected(_ event: Int) -> [[Line]] {
        var lines = [Line(event: event, path: "", marked: true)]
        var all: [[Line]] = []
        for stage in 0..<stageCount {
            all.append(lines)
            lines = lines.flatMap { outputs(stage, $0) }
        }
        return all
    }

    func delivered(_ event: Int) -> Bool {
        expected(event).enumerated().allSatisfy { stage, lines in lines.allSatisfy { finished[stage].contains($0) } }
    }

    // MARK: - The run

    /// Runs random steps, then a calm phase; returns a violation, if any.
    mutating func run() -> String? {
        let steps = Int.random(in: 50...400, using: &random)
        for _ in 0..<steps {
            step()
            if let violation = check() { return violation }
        }
        if Bool.random(using: &random) {
            stopAtDeadline()
            if let violation = check() { return violation }
        }
        // Calm: no faults; everything must settle.
        outputBlocked = false
        for index in processes.indices where processes[index].hung || processes[index].killed { crash(index, signalled: true) }
        for _ in 0..<200 where ledger.watermark < Int64(eventCount) {
            while fed < eventCount { feed() }
            for stage in 0..<stageCount {
                write(stage, count: Int.max)
                while consume(stage) {}
                read(stage, count: Int.max)
            }
            for stage in 0..<stageCount { drain(stage) }
            if let violation = check() { return violation }
        }
        if ledger.watermark < Int64(eventCount) {
            return "stalled at watermark \(ledger.watermark) of \(eventCount) (\(behaviours))"
        }
        return nil
    }

    mutating func check() -> String? {
        let watermark = ledger.watermark
        while checkedUpTo < watermark {
            checkedUpTo += 1
            let event = Int(checkedUpTo)
            if !deadLettered.contains(event) && !delivered(event) {
                return "event \(event) settled (watermark \(watermark)) but not finished by every stage; chain \(behaviours)\n"
                    + trace.suffix(60).joined(separator: "\n")
            }
        }
        return nil
    }

    mutating func step() {
        let stage = Int.random(in: 0..<stageCount, using: &random)
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<15: feed()
        case 15..<35: write(stage, count: Int.random(in: 1...4, using: &random))
        case 35..<60: _ = consume(stage)
        case 60..<80: read(stage, count: Int.random(in: 1...3, using: &random))
        case 80..<84: crash(stage, signalled: false)
        case 84..<87: processes[stage].hung = true
        case 87..<90: if processes[stage].hung { crash(stage, signalled: true) }
        case 90..<94: drain(stage)
        case 94..<96: outputBlocked.toggle()
        case 96..<98: deadLetter(stage)
        default: parkAndCrash(stage)
        }
    }

    mutating func feed() {
        guard fed < eventCount else { return }
        fed += 1
        let mark = random.next() | 1
        marks[fed] = mark
        // Some senders put a `mark` of their own in the payload (random: they cannot see real ones).
        if Bool.random(using: &random) { senderMarks[fed] = random.next() }
        ledger.feed(seq: Int64(fed), mark: mark, line: Line(event: fed, path: "", marked: true).bytes)
    }

    /// The runner writes up to `count` unwritten items to the current process.
    mutating func write(_ stage: Int, count: Int) {
        guard !processes[stage].stdinClosed, !processes[stage].killed else { return }
        let batch = ledger.unwritten(stage, limit: 8).prefix(count)
        guard !batch.isEmpty else { return }
        ledger.markWritten(stage, count: batch.count, now: .now)
        trace.append("s\(stage) given \(batch.map(\.seq))")
        for item in batch { processes[stage].stdin.append(decode(item.line)) }
    }

    /// The process handles one line it was given; false when it has none (or hangs).
    mutating func consume(_ stage: Int) -> Bool {
        var process = processes[stage]
        guard !process.hung, !process.killed, process.consumed < process.stdin.count else { return false }
        let line = process.stdin[process.consumed]
        process.consumed += 1
        trace.append("s\(stage) consumes \(String(decoding: line.bytes, as: UTF8.self))")
        let produced = outputs(stage, line)
        if produced.isEmpty {
            finished[stage].insert(line)
        }
        for (position, output) in produced.enumerated() {
            process.stdout.append(Output(of: line, line: output, last: position == produced.count - 1))
        }
        processes[stage] = process
        return true
    }

    /// The runner reads up to `count` lines the process wrote and reports them.
    mutating func read(_ stage: Int, count: Int) {
        let isLast = stage == stageCount - 1
        if isLast && outputBlocked { return }  // the write is being retried: nothing after it is reported
        let lines = processes[stage].stdout.prefix(count)
        processes[stage].stdout.removeFirst(lines.count)
        for output in lines { report(stage, output) }
    }

    mutating func report(_ stage: Int, _ output: Output) {
        trace.append("s\(stage) reports \(String(decoding: output.line.bytes, as: UTF8.self)) of \(String(decoding: output.of.bytes, as: UTF8.self)) held \(ledger.written(stage).map(\.seq))")
        if stage == stageCount - 1 { self.output.append(output.line) }
        let mark = markField(output.line)
        let emission = ledger.emitted(stage, mark: mark, line: output.line.bytes, now: .now)
        if settleOnOwnLine, emission.marked, parkedStage != stage, let item = ledger.parkFront(stage) {
            // The unsound rule under test: the marked line's own item (now the
            // front) goes too, as if its event were done with this stage.
            ledger.dropParked(stage, seq: item.seq)
        }
        if output.last { finished[stage].insert(output.of) }
    }

    /// The process ends without hookpipe's say-so (a crash), or after
    /// hookpipe signalled it (`signalled`: a timeout, a deadline).
    mutating func crash(_ stage: Int, signalled: Bool) {
        let process = processes[stage]
        // The reader sometimes gets the rest of stdout before the exit is judged.
        let readToEnd = !(stage == stageCount - 1 && outputBlocked) && Bool.random(using: &random)
        if readToEnd { read(stage, count: Int.max) }
        let evidence = ExitEvidence(exitedCleanly: signalled && process.exitsCleanlyOnSignal, stdinClosedByHookpipe: process.stdinClosed,
                                    killedByHookpipe: signalled, unreadInput: process.stdin.count - process.consumed,
                                    stdoutReadToEnd: readToEnd)
        exited(stage, evidence)
    }

    /// Hookpipe closes stdin; a handler finishes what it has and exits 0 —
    /// unless it hangs, and then it is killed at the deadline (perhaps exiting 0).
    mutating func drain(_ stage: Int) {
        processes[stage].stdinClosed = true
        if processes[stage].hung {
            processes[stage].exitsCleanlyOnSignal = Bool.random(using: &random)
            crash(stage, signalled: true)
            return
        }
        while consume(stage) {}
        let blocked = stage == stageCount - 1 && outputBlocked
        if !blocked { read(stage, count: Int.max) }
        let evidence = ExitEvidence(exitedCleanly: true, stdinClosedByHookpipe: true, killedByHookpipe: false,
                                    unreadInput: 0, stdoutReadToEnd: !blocked)
        exited(stage, evidence)
    }

    mutating func exited(_ stage: Int, _ evidence: ExitEvidence) {
        trace.append("s\(stage) exits, drain: \(evidence.isDrain), held \(ledger.written(stage).map(\.seq)); next stage \(stage + 1 < stageCount ? ledger.stages[stage + 1].items.map(\.seq) : [])")
        if evidence.isDrain { ledger.drained(stage) } else { ledger.restarted(stage) }
        if parkedStage == stage {
            ledger.unpark(stage)
            parkedStage = nil
        }
        generation += 1
        processes[stage] = Process(generation: generation)
    }

    /// Stop at a deadline: every process is killed; some exit 0 on SIGTERM.
    mutating func stopAtDeadline() {
        for stage in 0..<stageCount {
            processes[stage].exitsCleanlyOnSignal = Bool.random(using: &random)
            processes[stage].stdinClosed = Bool.random(using: &random)
            crash(stage, signalled: true)
        }
    }

    /// A parked suspect's dead letter was committed: its event leaves the chain.
    mutating func deadLetter(_ stage: Int) {
        guard parkedStage == stage, let item = ledger.stages[stage].parked.first else { return }
        ledger.dropParked(stage, seq: item.seq)
        // The line is in the dead-letter store: its own event (which a tag
        // after a strip may not name) counts as settled by it.
        deadLettered.insert(decode(item.line).event)
    }

    /// Isolation sets the front suspect aside after a failure; it comes back at the next restart.
    mutating func parkAndCrash(_ stage: Int) {
        guard parkedStage == nil, ledger.writtenCount(stage) > 0 else { return }
        _ = ledger.parkFront(stage)
        parkedStage = stage
        ledger.restarted(stage)
        generation += 1
        processes[stage] = Process(generation: generation)
    }

    func decode(_ bytes: [UInt8]) -> Line {
        var text = String(decoding: bytes, as: UTF8.self)
        let marked = text.hasSuffix("+m")
        if marked { text.removeLast(2) }
        text.removeFirst()  // "e"
        let digits = text.prefix { $0.isNumber }
        return Line(event: Int(digits)!, path: String(text.dropFirst(digits.count)), marked: marked)
    }
}
