public import HookpipeRecovery
public import HookpipeStore

extension Injector {
    /// What an injection did with its lines, and, after a store failure,
    /// which lines to feed again to finish the job without duplicates.
    public struct Summary: Sendable, Equatable {
        /// Lines handled (after a failure: up to the end of the failed chunk).
        public var lines = 0
        public var stored = 0
        public var duplicates = 0
        public var invalid = 0
        /// Valid lines the store failed to store, by line number.
        public private(set) var notStored = NumberRuns<Int>()
        /// The first store failure; the run stopped after the chunk it hit.
        public var failure: StoreError?
        /// After a failure: the first line that was not handed to the store,
        /// read or not; `nil` when the input had ended.
        public var notReadFrom: Int?
        /// Whether the last line recorded (blank lines are not) failed to be stored.
        private var previousFailed = false

        public init() {}

        /// Records line `line` (not blank) as not stored (`failed`) or handled.
        /// Failed lines separated only by blank lines form one run.
        public mutating func record(_ line: Int, failed: Bool) {
            if failed { notStored.add(line, joining: previousFailed) }
            previousFailed = failed
        }

        /// `3 stored, 1 duplicate, 0 invalid (4 lines)`; after a failure also
        /// `, 2 not stored`.
        public var description: String {
            let failed = failure == nil ? "" : ", \(notStored.count) not stored"
            return "\(stored) stored, \(duplicates) duplicate\(duplicates == 1 ? "" : "s"), \(invalid) invalid\(failed) (\(lines) line\(lines == 1 ? "" : "s"))"
        }

        /// After a failure, what failed, which lines are not stored, and how to
        /// store exactly those: one message each. Empty when nothing failed.
        ///
        /// - Parameter command: the `hookpipe inject …` command to feed them to.
        public func problems(command: String) -> [String] {
            guard let failure else { return [] }
            var lines = ["cannot store \(notStored.count) line\(notStored.count == 1 ? "" : "s"): \(failure)"]
            let named = notStored.isEmpty ? "none" : "line\(notStored.count == 1 ? "" : "s") \(notStored.description)"
            let rest = notReadFrom.map { "; the run stopped there, so lines \($0) and later were not stored either" } ?? ""
            lines.append("not stored: \(named)\(rest)")
            var runs = notStored.ranges.map { "\($0.lowerBound),\($0.upperBound)" }
            if let notReadFrom {
                // `$` is sed's last line: everything from there on.
                if let last = notStored.ranges.last, last.upperBound + 1 == notReadFrom {
                    runs[runs.count - 1] = "\(last.lowerBound),$"
                } else {
                    runs.append("\(notReadFrom),$")
                }
            }
            let ranges = runs.map { $0 + "p" }
            let done = stored + duplicates == 0 ? "nothing was stored" : "every other line's outcome stands"
            lines.append("\(done); to finish without duplicates once the store takes writes again, feed only those lines: "
                         + "sed -n '\(ranges.joined(separator: ";"))' INPUT | \(command)"
                         + " (feeding all of INPUT again also stores each line once: the stored ones are duplicates within the dedupe window)")
            return lines
        }
    }
}
