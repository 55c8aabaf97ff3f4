public import HookpipeRecovery
public import HookpipeStore
import HookpipeProcess

/// `hookpipe inject`: reads NDJSON, stores each valid line as an event of one
/// source (deduplicated like received events), and reports every line.
///
/// The lines of each chunk read are handed to the store together (so a line
/// reported stored is fsync'd), chunks spaced by a ``CommitPacer``. The
/// store's group commit may split a chunk into several transactions, so
/// when one fails the lines of the others are stored all the same: every
/// line is reported with its own outcome. Invalid lines are reported and
/// skipped; the rest are stored.
public struct Injector: Sendable {
    public let decoder: InjectDecoder
    public let store: any EventStore
    /// Most events in one commit.
    public var batchSize: Int
    /// Least time between two commits.
    public var pause: Duration

    public init(decoder: InjectDecoder, store: any EventStore, batchSize: Int = 256, pause: Duration = .milliseconds(20)) {
        self.decoder = decoder
        self.store = store
        self.batchSize = max(1, batchSize)
        self.pause = pause
    }

    /// What happened to one line (1-based numbers, counting every line read).
    public enum LineReport: Sendable, Equatable {
        case stored(line: Int, seq: Int64?, id: String)
        case duplicate(line: Int, seq: Int64?, id: String)
        case invalid(line: Int, reason: String)
        /// A valid line the store failed to store (see ``Summary/failure``).
        case notStored(line: Int, id: String)
    }

    /// Reads chunks from `read` (an empty chunk is the end) until the end,
    /// storing and reporting as it goes. At the first store failure it stops
    /// reading: every line of that chunk is still reported with its own
    /// outcome, and the ``Summary`` names the lines not stored, so that
    /// feeding only those again finishes the job.
    ///
    /// - Parameters:
    ///   - now: microseconds since the epoch, for `received_at`.
    ///   - report: told about every line that is not blank, in line order, once its fate is known.
    public func run(read: () async throws(OperationError) -> [UInt8], now: @Sendable () -> Int64 = WallClock.nowMicros,
                    report: (LineReport) async throws(OperationError) -> Void) async throws(OperationError) -> Summary {
        var splitter = LineSplitter(maxLineLength: decoder.maxLineBytes + 1)
        var summary = Summary()
        var pacer = CommitPacer(pause: pause)
        var pending: [(line: Int, outcome: InjectDecoder.Outcome)] = []
        while true {
            let chunk = try await read()
            let stamp = now()
            if chunk.isEmpty {
                if let last = splitter.finish() {
                    summary.lines += 1
                    pending.append((summary.lines, decoder.decode(last, nowMicros: stamp)))
                }
            } else {
                chunk.withUnsafeBytes { raw in
                    splitter.append(raw) { line in
                        summary.lines += 1
                        pending.append((summary.lines, decoder.decode(line, nowMicros: stamp)))
                    }
                }
            }
            while !pending.isEmpty {
                let batch = takeBatch(&pending)
                try await store(batch, summary: &summary, pacer: &pacer, report: report)
                if summary.failure != nil {
                    // Stop: nothing after this batch is stored; say from which line on.
                    let end = batch.last?.line ?? summary.lines
                    summary.notReadFrom = chunk.isEmpty && pending.isEmpty ? nil : end + 1
                    summary.lines = end
                    return summary
                }
            }
            if chunk.isEmpty { return summary }
        }
    }

    /// The first lines of `pending` holding at most `batchSize` events.
    private func takeBatch(_ pending: inout [(line: Int, outcome: InjectDecoder.Outcome)]) -> ArraySlice<(line: Int, outcome: InjectDecoder.Outcome)> {
        var events = 0
        var end = 0
        while end < pending.count {
            if case .event = pending[end].outcome {
                if events == batchSize { break }
                events += 1
            }
            end += 1
        }
        let batch = pending[..<end]
        pending.removeFirst(end)
        return batch
    }

    private func store(_ batch: ArraySlice<(line: Int, outcome: InjectDecoder.Outcome)>, summary: inout Summary, pacer: inout CommitPacer,
                       report: (LineReport) async throws(OperationError) -> Void) async throws(OperationError) {
        let events = batch.compactMap { if case .event(let event) = $0.outcome { (line: $0.line, event: event) } else { nil } }
        var results: [Result<AppendOutcome, StoreError>] = []
        if !events.isEmpty {
            await pacer.beforeCommit()
            results = await store.appendEach(events.map(\.event))
            pacer.committed()
        }
        var next = results.makeIterator()
        for (line, outcome) in batch {
            switch outcome {
            case .blank:
                break
            case .invalid(let reason):
                summary.record(line, failed: false)
                summary.invalid += 1
                try await report(.invalid(line: line, reason: reason))
            case .event(let event):
                switch next.next() {
                case .success(.stored(let seq))?:
                    summary.record(line, failed: false)
                    summary.stored += 1
                    try await report(.stored(line: line, seq: seq, id: event.dedupeKey))
                case .success(.duplicate(let seq))?:
                    summary.record(line, failed: false)
                    summary.duplicates += 1
                    try await report(.duplicate(line: line, seq: seq, id: event.dedupeKey))
                case .failure(let error)?:
                    summary.record(line, failed: true)
                    summary.failure = summary.failure ?? error
                    try await report(.notStored(line: line, id: event.dedupeKey))
                case nil:
                    break
                }
            }
        }
    }
}
