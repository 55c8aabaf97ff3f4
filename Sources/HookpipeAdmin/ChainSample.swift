public import HookpipeChain

/// What the admin listener reads from the chain at scrape or probe time: a
/// copy of ``ChainRunner/status()`` reduced to what metrics and readiness use.
public struct ChainSample: Sendable, Equatable {
    /// One stage's part of the sample.
    public struct Stage: Sendable, Equatable {
        /// The `[[stage]]` name.
        public var name: String
        /// Crash-looping.
        public var failed: Bool
        /// Process restarts since the runner started.
        public var restarts: Int
        /// Lines written to the stage, and lines it emitted, since the runner started.
        public var linesIn: Int64
        public var linesOut: Int64

        /// A stage's values (tests give only what they check).
        public init(name: String, failed: Bool, restarts: Int = 0, linesIn: Int64 = 0, linesOut: Int64 = 0) {
            self.name = name
            self.failed = failed
            self.restarts = restarts
            self.linesIn = linesIn
            self.linesOut = linesOut
        }
    }

    /// The saved checkpoint.
    public var checkpoint: Int64
    /// Events fed and not yet settled.
    public var inFlight: Int
    /// Dead letters written since the runner started.
    public var deadLettered: Int
    /// Stage output lines dropped for not being JSON objects.
    public var invalidLines: Int
    /// In chain order.
    public var stages: [Stage]

    /// A sample with the given values.
    public init(checkpoint: Int64, inFlight: Int, deadLettered: Int, invalidLines: Int, stages: [Stage]) {
        self.checkpoint = checkpoint
        self.inFlight = inFlight
        self.deadLettered = deadLettered
        self.invalidLines = invalidLines
        self.stages = stages
    }

    /// The sample of a running chain's status.
    public init(_ status: ChainRunner.Status) {
        self.init(checkpoint: status.checkpoint, inFlight: status.inFlight, deadLettered: status.deadLettered,
                  invalidLines: status.invalidLines, stages: status.stages.map {
                      Stage(name: $0.name, failed: $0.failed, restarts: $0.restarts, linesIn: $0.linesIn, linesOut: $0.linesOut)
                  })
    }
}
