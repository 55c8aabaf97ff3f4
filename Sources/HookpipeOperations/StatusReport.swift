public import HookpipeRecovery
public import HookpipeConfig
public import HookpipeDaemon
public import HookpipeStore
public import Logging
import Foundation
import HookpipeChain
import HookpipeJSON

/// `hookpipe status`: what the daemon last reported in `status.json`,
/// combined with what the store says now (which holds whether the daemon
/// runs or not).
///
/// Exit codes, after `systemctl status`: 0 running and healthy, 2 running
/// but degraded (a stage is failed: crash-looping; the store's disk is full;
/// or the daemon runs but has not rewritten `status.json` for over 5 s),
/// 3 not running. Errors (unreadable configuration, store or `status.json`)
/// are 1.
public struct StatusReport: Sendable {
    public enum State: Sendable, Equatable {
        case running
        /// Running, with these stages failed.
        case degraded([String])
        /// The daemon's process runs (same pid, same start time) but its
        /// `status.json` is older than 5 s; with since when.
        case stale(String)
        /// Not running, with why we think so.
        case notRunning(String)
    }

    public var state: State
    /// The daemon's last snapshot, if it ever wrote one.
    public var snapshot: StatusSnapshot?
    public var storePath: String
    public var lastSeq: Int64
    /// The chain's checkpoint; `nil` when no `[[stage]]` is configured.
    public var checkpoint: Int64?
    public var deadLetters: Int
    /// The configured stages' names.
    public var stages: [String]
    /// Free bytes on the store's file system; `nil` when unknown.
    public var diskFreeBytes: Int64?
    /// With a shared store (PostgreSQL): the nodes and the chain lease's holder.
    public var cluster: ChainCluster?

    public static let exitRunning: Int32 = 0
    public static let exitDegraded: Int32 = 2
    public static let exitNotRunning: Int32 = 3

    /// Stored and not yet settled by the chain.
    public var backlog: Int64? {
        checkpoint.map { max(0, lastSeq - $0) }
    }

    /// The store's disk has no room for another commit (``DiskSpace/isFull(freeBytes:)``).
    public var storeFull: Bool {
        diskFreeBytes.map(DiskSpace.isFull(freeBytes:)) ?? false
    }

    public var exitCode: Int32 {
        switch state {
        case .running: storeFull ? Self.exitDegraded : Self.exitRunning
        case .degraded, .stale: Self.exitDegraded
        case .notRunning: Self.exitNotRunning
        }
    }

    /// Decides the state from a snapshot (or none) and whether its writer is
    /// alive; when not `live`, looks the writer's pid up to tell why.
    public init(snapshot: StatusSnapshot?, live: Bool, storePath: String, lastSeq: Int64, checkpoint: Int64?, deadLetters: Int,
                stages: [String], diskFreeBytes: Int64? = nil) {
        let writer: StatusSnapshot.Writer? = live ? .live : snapshot?.writer(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000))
        self.init(snapshot: snapshot, writer: writer, storePath: storePath, lastSeq: lastSeq, checkpoint: checkpoint,
                  deadLetters: deadLetters, stages: stages, diskFreeBytes: diskFreeBytes)
    }

    /// Decides the state from a snapshot (or none) and what became of its writer; no I/O.
    public init(snapshot: StatusSnapshot?, writer: StatusSnapshot.Writer?, storePath: String, lastSeq: Int64, checkpoint: Int64?,
                deadLetters: Int, stages: [String], diskFreeBytes: Int64?) {
        self.snapshot = snapshot
        self.storePath = storePath
        self.lastSeq = lastSeq
        self.checkpoint = checkpoint
        self.deadLetters = deadLetters
        self.stages = stages
        self.diskFreeBytes = diskFreeBytes
        guard let snapshot, let writer else {
            state = .notRunning("no status.json: the daemon has not run with this state directory")
            return
        }
        let when = RFC3339.format(micros: snapshot.updatedAtMicros)
        switch writer {
        case .live:
            let failed = snapshot.chain?.stages.filter(\.failed).map(\.name) ?? []
            state = failed.isEmpty ? .running : .degraded(failed)
        case .stale:
            state = .stale("status.json is stale: pid \(snapshot.pid) (the same process) has not rewritten it since \(when)")
        case .stopped:
            state = .notRunning("stopped at \(when) (pid \(snapshot.pid))")
        case .gone:
            state = .notRunning("pid \(snapshot.pid) is gone (crashed or killed); its last report was at \(when)")
        case .reused:
            state = .notRunning("pid \(snapshot.pid) now belongs to another process (the daemon is gone); its last report was at \(when)")
        }
    }

    /// Reads `status.json` and the store (opened and closed here). Without
    /// a store the daemon never ran: not running, and the numbers are zero.
    public static func gather(config: PipelineConfig, configFile: String, logger: Logger, nowMicros: Int64) async throws(OperationError) -> StatusReport {
        let directory = config.store.stateDirectory
        let snapshot: StatusSnapshot?
        do {
            snapshot = try StatusSnapshot.read(stateDirectory: directory)
        } catch {
            throw OperationError(.io, "cannot read \(StatusSnapshot.path(stateDirectory: directory)): \(error)")
        }
        let writer = snapshot?.writer(nowMicros: nowMicros)
        // The disk only matters for the embedded store; PostgreSQL's is the server's.
        let diskFree = config.store.backend == .sqlite ? DiskSpace.availableBytes(at: config.store.databasePath) : nil
        let location = StoreFactory.location(config.store, environment: ProcessInfo.processInfo.environment)
        let stages = config.chain.stages.map(\.name)
        let store: any EventStore
        do {
            store = try await OperatorStore.open(config, configFile: configFile, readOnly: true, logger: logger)
        } catch where error.code == .noStore {
            var report = StatusReport(snapshot: snapshot, writer: writer, storePath: location, lastSeq: 0,
                                      checkpoint: stages.isEmpty ? nil : 0, deadLetters: 0, stages: stages, diskFreeBytes: diskFree)
            report.state = .notRunning(error.message)
            return report
        }
        let report: Result<StatusReport, StoreError>
        do {
            let lastSeq = try await store.lastSequence()
            let checkpoint = stages.isEmpty ? nil : try await store.checkpoint(ChainRunner.consumer)
            let deadLetters = try await store.deadLetterCount()
            var gathered = StatusReport(snapshot: snapshot, writer: writer, storePath: location, lastSeq: lastSeq,
                                        checkpoint: checkpoint, deadLetters: deadLetters, stages: stages, diskFreeBytes: diskFree)
            gathered.cluster = try await store.chainCluster()
            report = .success(gathered)
        } catch {
            report = .failure(error)
        }
        await store.close()
        do { return try report.get() } catch { throw .store(error, "read the store") }
    }
}
