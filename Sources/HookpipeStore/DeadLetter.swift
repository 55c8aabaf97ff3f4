/// An event a stage could not process, kept aside so the rest of the chain
/// carries on. Found by isolating the stage's suspects one at a time.
public struct DeadLetter: Sendable, Equatable {
    /// Row id in the dead-letter store (0 before it is stored).
    public var id: Int64
    /// The event's sequence number.
    public var seq: Int64
    /// The stage that failed on it.
    public var stage: String
    /// Why: `exit 3`, `signal 11 (SIGSEGV)`, `timeout after 30s`.
    public var reason: String
    /// The stage's last stderr lines before it failed.
    public var stderrTail: [String]
    /// The line the stage was given.
    public var line: [UInt8]
    /// When it was dead-lettered, microseconds since the Unix epoch.
    public var createdAtMicros: Int64

    public init(id: Int64 = 0, seq: Int64, stage: String, reason: String, stderrTail: [String], line: [UInt8], createdAtMicros: Int64) {
        self.id = id
        self.seq = seq
        self.stage = stage
        self.reason = reason
        self.stderrTail = stderrTail
        self.line = line
        self.createdAtMicros = createdAtMicros
    }
}
