import Foundation
import HookpipeChain
import HookpipeStore
import Logging
import ServiceLifecycle

/// Rewrites `status.json` every `interval` while the daemon runs, and once
/// more with `running: false` when it stops. Runs after the receiver is bound,
/// so a live snapshot means the daemon is serving; it stops first, so
/// `running: false` appears as soon as shutdown begins.
struct StatusFileService: Service {
    let stateDirectory: String
    let listener: String
    let sources: [String]
    let store: any EventStore
    let storeHealth: StoreHealth
    /// The chain's current runner (replaced on reload), if any.
    let chain: @Sendable () -> ChainRunner?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let startedAt = Self.nowMicros()
        var reported = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await write(startedAt: startedAt, running: true, reported: &reported)
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
        await write(startedAt: startedAt, running: false, reported: &reported)
    }

    private func write(startedAt: Int64, running: Bool, reported: inout Bool) async {
        do {
            let snapshot = try await snapshot(startedAt: startedAt, running: running)
            // Two fsyncs: on a thread of its own, so a slow disk never holds a cooperative-pool thread.
            try await onThread("status-file") { [stateDirectory] in try snapshot.write(stateDirectory: stateDirectory) }
            reported = false
        } catch {
            // Once per failure streak: a full disk must not flood the log.
            if !reported { logger.warning("cannot write status.json", metadata: ["error": "\(error)"]) }
            reported = true
        }
    }

    func snapshot(startedAt: Int64, running: Bool) async throws -> StatusSnapshot {
        let lastSeq = try await store.lastSequence()
        var chainSnapshot: StatusSnapshot.Chain?
        var checkpoint = lastSeq
        if let status = chain()?.status() {
            checkpoint = status.checkpoint
            chainSnapshot = .init(inFlight: status.inFlight, invalidLines: status.invalidLines, deadLettered: status.deadLettered,
                          stages: status.stages.map {
                              .init(name: $0.name, phase: $0.phase, pid: $0.pid, restarts: $0.restarts, drains: $0.drains,
                                    failed: $0.failed, held: $0.held, linesIn: $0.linesIn, linesOut: $0.linesOut,
                                    isolating: $0.isolating, foreignMarks: $0.foreignMarks)
                          })
        }
        return StatusSnapshot(pid: getpid(), running: running, startedAtMicros: startedAt, updatedAtMicros: Self.nowMicros(),
                              listener: listener, sources: sources, lastSeq: lastSeq, checkpoint: checkpoint, storeCheck: storeHealth.current.summary,
                              backlog: max(0, lastSeq - checkpoint), chain: chainSnapshot)
    }

    static func nowMicros() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000_000)
    }
}
