import Foundation
import HookpipeProcess
import HookpipeStore

/// What a running daemon reports about itself in `<state_directory>/status.json`,
/// rewritten every second (write to a temporary file, then rename) so that
/// `hookpipe status` can read it without talking to the daemon.
///
/// The file is a courtesy for operators, not a source of truth: the store's
/// checkpoint and sequence numbers are. A reader decides whether the daemon is
/// alive from `pid` and `updatedAtMicros`, and `running` is `false` in the
/// last snapshot written on a clean stop.
public struct StatusSnapshot: Codable, Sendable, Equatable {
    public static let fileName = "status.json"

    public var pid: Int32
    public var running: Bool
    public var startedAtMicros: Int64
    public var updatedAtMicros: Int64
    /// `http://host:port` or `https://host:port`.
    public var listener: String
    public var sources: [String]
    /// Highest sequence number stored.
    public var lastSeq: Int64
    /// The chain's persisted checkpoint (equal to `lastSeq` when there is no chain).
    public var checkpoint: Int64
    /// Stored and not yet settled: `lastSeq - checkpoint`.
    public var backlog: Int64
    /// The start-up integrity check: `pending`, `ok` or `damaged: …`.
    public var storeCheck: String
    public var chain: Chain?

    public struct Chain: Codable, Sendable, Equatable {
        public var inFlight: Int
        public var invalidLines: Int
        /// Dead letters written since this daemon started.
        public var deadLettered: Int
        public var stages: [Stage]

        public init(inFlight: Int, invalidLines: Int, deadLettered: Int, stages: [Stage]) {
            self.inFlight = inFlight
            self.invalidLines = invalidLines
            self.deadLettered = deadLettered
            self.stages = stages
        }
    }

    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        /// `running`, `draining`, `killing`, `backoff`, `dead-lettering` or `stopped`.
        public var phase: String
        public var pid: Int32?
        public var restarts: Int
        public var drains: Int
        public var failed: Bool
        public var held: Int
        public var linesIn: Int64
        public var linesOut: Int64
        /// Looking for a poison event among its suspects (absent in files of older versions).
        public var isolating: Bool?
        /// Lines whose `mark` matched nothing the stage was given; they settle nothing (absent in older files).
        public var foreignMarks: Int?

        public init(name: String, phase: String, pid: Int32?, restarts: Int, drains: Int, failed: Bool, held: Int,
                    linesIn: Int64, linesOut: Int64, isolating: Bool? = nil, foreignMarks: Int? = nil) {
            self.isolating = isolating
            self.foreignMarks = foreignMarks
            self.name = name
            self.phase = phase
            self.pid = pid
            self.restarts = restarts
            self.drains = drains
            self.failed = failed
            self.held = held
            self.linesIn = linesIn
            self.linesOut = linesOut
        }
    }

    public init(pid: Int32, running: Bool, startedAtMicros: Int64, updatedAtMicros: Int64, listener: String, sources: [String],
                lastSeq: Int64, checkpoint: Int64, storeCheck: String, backlog: Int64, chain: Chain?) {
        self.pid = pid
        self.running = running
        self.startedAtMicros = startedAtMicros
        self.updatedAtMicros = updatedAtMicros
        self.listener = listener
        self.sources = sources
        self.lastSeq = lastSeq
        self.checkpoint = checkpoint
        self.backlog = backlog
        self.storeCheck = storeCheck
        self.chain = chain
    }

    /// `<stateDirectory>/status.json`.
    public static func path(stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent(fileName)
    }

    /// Reads and decodes the file; `nil` when it does not exist.
    public static func read(stateDirectory: String) throws -> StatusSnapshot? {
        let path = path(stateDirectory: stateDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(StatusSnapshot.self, from: data)
    }

    /// Writes the file so that a crash leaves the old snapshot or the new
    /// one, never a torn file: a temporary file in the same directory,
    /// fsync'd, renamed over `status.json`, then the directory fsync'd
    /// (``HookpipeProcess/SystemCall/replaceFile(_:contents:)``).
    public func write(stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try SystemCall.replaceFile(Self.path(stateDirectory: stateDirectory), contents: Array(data))
    }

    /// Whether the writing daemon looks alive: its process exists and it
    /// wrote within `staleAfter`.
    public func isLive(nowMicros: Int64, staleAfter: Duration = .seconds(5)) -> Bool {
        guard running, nowMicros - updatedAtMicros <= staleAfter.microseconds else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
