public import HookpipeStore
import HookpipeConfig

extension Replayer {
    /// What a replay appended, and what it could not: enough for an operator
    /// to finish the job without copying any event twice.
    public struct Summary: Sendable, Equatable {
        /// The selection as run: the command's filter, ending at the newest seq when it started.
        public let selection: EventFilter
        /// Copies stored.
        public private(set) var count = 0
        /// Sequence numbers of the first and last copy.
        public private(set) var firstSeq: Int64?
        public private(set) var lastSeq: Int64?
        /// The original events that have a copy, by seq.
        public private(set) var replayed = NumberRuns<Int64>()
        /// The selected events that have none, by seq (empty unless something failed).
        public private(set) var notReplayed = NumberRuns<Int64>()
        /// The first failure to store a copy.
        public private(set) var failure: StoreError?
        /// Set when reading the selection failed part-way.
        public var readFailure: ReadFailure?
        /// Whether the previous selected event got a copy.
        private var previousReplayed: Bool?
        /// The last selected event read.
        public private(set) var lastSelected: Int64?

        public init(selection: EventFilter) {
            self.selection = selection
        }

        /// Selected events read (with a copy or without).
        public var selected: Int { replayed.count + notReplayed.count }

        /// Whether every selected event has a copy.
        public var isComplete: Bool { failure == nil && readFailure == nil }

        /// Whether the selection is a seq range (optionally of one source), so
        /// that `--from A --to B` selects again exactly the selected events in A…B.
        var bySeq: Bool { selection.dedupeKey == nil && selection.receivedSinceMicros == nil }

        /// Records the fate of the selected event `original` (greater than
        /// every one recorded before): the result of appending its copy, or
        /// `nil` when none was attempted.
        public mutating func record(original: Int64, _ result: Result<AppendOutcome, StoreError>?) {
            let copied: Bool
            switch result {
            case .success(let outcome)?:
                // A copy's key is new to this run, so `.duplicate` would also name its copy.
                count += 1
                firstSeq = firstSeq ?? outcome.seq
                lastSeq = outcome.seq ?? lastSeq
                copied = true
            case .failure(let error)?:
                failure = failure ?? error
                copied = false
            case nil:
                copied = false
            }
            // In a seq-range selection every event between two selected ones is
            // of another source or gone, so runs of one fate may span gaps.
            let joining = bySeq && previousReplayed == copied
            if copied { replayed.add(original, joining: joining) } else { notReplayed.add(original, joining: joining) }
            previousReplayed = copied
            lastSelected = original
        }

        /// `replayed 3 events as seq 12–14`; after a failure, how many of how
        /// many and the originals: `replayed 10 of 40 selected events as seq 41–50 (copies of seq 1–10)`.
        public var description: String {
            let noun = count == 1 ? "event" : "events"
            guard !isComplete else {
                guard let firstSeq, let lastSeq else {
                    // PostgreSQL: the copies are numbered after commit, by the chain holder.
                    return count == 0 ? "replayed nothing" : "replayed \(count) \(noun) (seq assigned by the chain holder)"
                }
                return firstSeq == lastSeq ? "replayed \(count) \(noun) as seq \(firstSeq)" : "replayed \(count) \(noun) as seq \(firstSeq)–\(lastSeq)"
            }
            let total = "\(selected)\(readFailure == nil ? "" : "+") selected"
            guard let firstSeq, let lastSeq else {
                return count == 0 ? "replayed none of \(total) events"
                    : "replayed \(count) of \(total) events (copies of seq \(replayed.description); seq assigned by the chain holder)"
            }
            let copies = firstSeq == lastSeq ? "seq \(firstSeq)" : "seq \(firstSeq)–\(lastSeq)"
            return "replayed \(count) of \(total) events as \(copies) (copies of seq \(replayed.description))"
        }

        /// What failed, what has no copy, and the commands that copy exactly
        /// that: one message each, empty when the replay is complete.
        ///
        /// - Parameter command: how to run `hookpipe replay` again (with its `--config`).
        public func problems(command: String = "hookpipe replay") -> [String] {
            guard !isComplete else { return [] }
            var lines: [String] = []
            if let failure { lines.append("cannot store the copies: \(failure)") }
            if let readFailure { lines.append("cannot read the selected events after seq \(readFailure.after): \(readFailure.error)") }
            var left = notReplayed.ranges
            var notRead = ""
            if let after = readFailure?.after, let end = selection.toSeq, after < end {
                notRead = "; not read, so not replayed either: the selected events in seq \(after + 1)–\(end)"
                if bySeq, let last = left.last, last.upperBound == after, previousReplayed == false {
                    left[left.count - 1] = last.lowerBound...end
                } else if bySeq {
                    left.append((after + 1)...end)
                }
            }
            let none = notReplayed.isEmpty ? "none" : "seq \(notReplayed.description)"
            lines.append("not replayed: \(none) (\(notReplayed.count) event\(notReplayed.count == 1 ? "" : "s"))\(notRead)")
            let source = selection.source.map { " --source \(ShellQuoting.quoted($0))" } ?? ""
            let commands = left.map { "\(command) --from \($0.lowerBound) --to \($0.upperBound)\(source)" }
            if !commands.isEmpty {
                let done = count == 0 ? "nothing was replayed" : "the copies stored stay stored"
                lines.append("\(done); to finish without duplicates once the store takes writes again, run: " + commands.joined(separator: "; "))
            }
            if !bySeq, let after = readFailure?.after, let end = selection.toSeq, after < end {
                lines.append("then list what is left with `hookpipe tail --from \(after + 1)\(source)` and replay only the events of seq ≤ \(end) that match \(selection.summary)")
            }
            return lines
        }
    }

    /// Reading the selection failed after `after`, the last seq read: the
    /// selected events after it (up to the selection's end) have no copy.
    public struct ReadFailure: Sendable, Equatable {
        public var after: Int64
        public var error: StoreError

        public init(after: Int64, error: StoreError) {
            self.after = after
            self.error = error
        }
    }
}
