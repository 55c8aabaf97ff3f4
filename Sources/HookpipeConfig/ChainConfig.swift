/// The processing chain: the stages every stored event passes through, and its bounds.
/// Key table: `[chain]`; the stages come from the `[[stage]]` tables.
public struct ChainConfig: Sendable, Equatable {
    /// Where events that leave the last stage go.
    public enum Output: Sendable, Equatable, CustomStringConvertible {
        /// `discard`: dropped once they left the last stage (the stages do the delivering).
        case discard
        /// `stdout`: written to the daemon's standard output, one JSON line each.
        case stdout
        /// `file:PATH`: appended to the file, one JSON line each. The path is absolute after loading.
        case file(String)

        /// As written in `pipeline.conf`: `discard`, `stdout`, `file:/path`.
        public var description: String {
            switch self {
            case .discard: "discard"
            case .stdout: "stdout"
            case .file(let path): "file:\(path)"
            }
        }
    }

    /// Where events that leave the last stage go. Default `discard`.
    public var output: Output = .discard
    /// Events entered into the chain and not yet settled, over the whole chain. Default 1024.
    public var maxInFlight: Int = 1024
    /// A stage holding events without progress this long is drained (stdin closed, restarted). Default 1 s.
    public var flushAfter: Duration = .seconds(1)
    /// How often the chain's progress is recorded in the store. Default 200 ms.
    public var checkpointInterval: Duration = .milliseconds(200)
    /// Deadline for the chain to drain on a graceful stop. Default 30 s.
    public var drainTimeout: Duration = .seconds(30)
    /// Consecutive crashes or timeouts of a stage with the same event in flight
    /// before that event is isolated as poison. Default 3.
    public var poisonAfter: Int = 3
    /// Last lines of a stage's stderr kept with a dead letter. Default 20.
    public var stderrTail: Int = 20
    /// The stages, in chain (file) order (`[[stage]]`); names are unique. Empty = receive and store only.
    public var stages: [StageConfig] = []

    /// The defaults listed above, with no stages.
    public init() {}
}

/// One handler process of the chain. Key table: `[[stage]]`, one per handler, in chain order.
public struct StageConfig: Sendable, Equatable {
    /// Unique name, used in logs and metrics; letters, digits, `.`, `_`, `-`. Required.
    public var name: String
    /// The program and its arguments (argv). Required, never empty. With ``shell``
    /// the file gives one string and this is `["/bin/sh", "-c", string]`.
    public var command: [String]
    /// Whether `command` was given as one string run by `/bin/sh -c`. Default false.
    public var shell: Bool
    /// Variables added to (or, like `PATH`, replacing in) the stage's environment.
    /// Names never start with `HOOKPIPE_`, which is reserved. Values may be sensitive: do not log them.
    public var environment: [String: String]
    /// Working directory of the process, absolute after loading; the loader
    /// defaults it to the config file's directory. `nil` = the daemon's.
    public var workingDirectory: String?
    /// Shortest wait before a restart; later waits grow up to ``backoffMax``. Default 100 ms.
    public var backoffMin: Duration
    /// Longest wait before a restart, at least ``backoffMin``. Default 30 s.
    public var backoffMax: Duration
    /// Running this long counts as healthy and resets the backoff. Default 10 s.
    public var healthyAfter: Duration
    /// Consecutive restarts without becoming healthy before the stage is marked
    /// failed (it is then retried every ``backoffMax``). Default 5.
    public var failAfter: Int
    /// Longest the stage may hold one event; longer than the chain's `flush_after`. Default 30 s.
    public var timeout: Duration
    /// Lines written to the stage and not yet passed on. Default 256.
    public var maxInFlight: Int

    /// Creates a stage; optional settings default as documented above.
    public init(
        name: String, command: [String], shell: Bool = false, environment: [String: String] = [:],
        workingDirectory: String? = nil, backoffMin: Duration = .milliseconds(100), backoffMax: Duration = .seconds(30),
        healthyAfter: Duration = .seconds(10), failAfter: Int = 5, timeout: Duration = .seconds(30), maxInFlight: Int = 256
    ) {
        self.name = name
        self.command = command
        self.shell = shell
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.backoffMin = backoffMin
        self.backoffMax = backoffMax
        self.healthyAfter = healthyAfter
        self.failAfter = failAfter
        self.timeout = timeout
        self.maxInFlight = maxInFlight
    }

    /// The shell that runs a `command` given as one string.
    public static let shellPath = "/bin/sh"
}
