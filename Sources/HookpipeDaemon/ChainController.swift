import Foundation
import HookpipeChain
import HookpipeConfig
import HookpipeStore
import Logging
import ServiceLifecycle
import HookpipeSync

/// Owns the chain across reloads: starts a ``ChainRunner`` for the configured
/// stages, replaces it when `[chain]` or a `[[stage]]` changes, and drains it
/// on shutdown.
///
/// A replacement drains the old runner (every stage finishes what it was
/// given and the checkpoint is saved), then starts the new one from that
/// checkpoint. Events stored meanwhile wait in the store; anything the old
/// chain had not settled is fed again, so nothing in flight is lost.
actor ChainController {
    private let store: any EventStore
    private let stateDirectory: String
    private let path: String?
    private let logger: Logger
    private var config: ChainConfig
    private var shuttingDown = false
    /// With a shared store: the lease epoch this node holds, `nil` while it is a
    /// standby (then nothing is started, even by a reload).
    private var leasedEpoch: Int64?
    /// The running runner, readable without awaiting the actor (status, heartbeat).
    private nonisolated let slot = Locked<Slot>(Slot())

    private struct Slot {
        var runner: ChainRunner?
        /// Set while a runner is drained and replaced: the chain is busy, not wedged.
        var replacing = false
    }

    init(config: ChainConfig, store: any EventStore, stateDirectory: String, path: String?, logger: Logger) {
        self.config = config
        self.store = store
        self.stateDirectory = stateDirectory
        self.path = path
        self.logger = logger
    }

    /// The store's chain lease, when the store is shared by several nodes.
    var lease: (any ChainLease)? { store.chainLease }

    /// The current runner, if stages are configured and it is running.
    nonisolated var runner: ChainRunner? {
        slot.withLock { $0.runner }
    }

    /// The consumer whose checkpoint bounds pruning: the chain's while a chain
    /// runs or is being replaced (a reload that adds stages must not let
    /// retention delete what they have not processed), else `nil`.
    nonisolated var consumer: String? {
        slot.withLock { $0.runner != nil || $0.replacing ? ChainRunner.consumer : nil }
    }

    /// The chain's heartbeat for the watchdog: the runner's ticker, or now
    /// when there is no chain or it is being replaced.
    nonisolated var heartbeat: ContinuousClock.Instant {
        slot.withLock { slot in
            guard !slot.replacing, let runner = slot.runner else { return .now }
            return runner.heartbeat
        }
    }

    /// Creates the first runner (checks the output and reads the checkpoint);
    /// throws before anything is started when that fails.
    func prepare() async throws {
        guard !config.stages.isEmpty else {
            logger.notice("no [[stage]] configured: events are stored, not processed")
            return
        }
        let runner = try await makeRunner(config)
        slot.withLock { $0.runner = runner }
    }

    /// Starts the prepared runner.
    func start() async throws {
        guard let runner else { return }
        try await onThread("chain-start") { try runner.start() }
    }

    /// Drains the current chain and starts one with `newConfig`. When the new
    /// one cannot be created the previous configuration is started again, and
    /// the error is thrown for the caller to report.
    func replace(with newConfig: ChainConfig) async throws {
        guard !shuttingDown, newConfig != config else { return }
        slot.withLock { $0.replacing = true }
        defer { slot.withLock { $0.replacing = false } }
        await drainCurrent()
        let previous = config
        do {
            try await install(newConfig)
        } catch {
            logger.error("cannot start the new chain; restarting the previous one", metadata: ["error": "\(error)"])
            try? await install(previous)
            throw error
        }
    }

    /// Drains the chain for good (graceful shutdown).
    func stop() async {
        shuttingDown = true
        await drainCurrent()
    }

    private func install(_ newConfig: ChainConfig) async throws {
        config = newConfig
        if store.chainLease != nil && leasedEpoch == nil { return }
        guard !newConfig.stages.isEmpty else {
            logger.notice("chain removed: events are stored, not processed")
            return
        }
        let runner = try await makeRunner(newConfig)
        try await onThread("chain-start") { try runner.start() }
        slot.withLock { $0.runner = runner }
    }

    /// With a shared store (PostgreSQL): runs the chain only while this node
    /// holds the lease, until graceful shutdown. Each term starts a fresh
    /// runner once the lease is held (it reads the checkpoint then); a lost
    /// lease stops it at once, killing the stages without a drain (a drain
    /// would let them write), and the node becomes a standby again. Graceful
    /// shutdown drains as usual, saves the checkpoint, and releases the lease
    /// so another node takes over without waiting for it to expire.
    func runLeased(_ lease: any ChainLease) async {
        if let prepared = slot.withLock({ slot in defer { slot.runner = nil }; return slot.runner }) {
            prepared.discard()
        }
        while !shuttingDown {
            let epoch: Int64
            do {
                epoch = try await cancelWhenGracefulShutdown { try await lease.acquire() }
            } catch {
                shuttingDown = true
                return
            }
            leasedEpoch = epoch
            do {
                try await install(config)
            } catch {
                logger.error("cannot start the chain; giving the lease up", metadata: ["error": "\(error)", "lease.epoch": "\(epoch)"])
                leasedEpoch = nil
                await lease.release(epoch: epoch)
                try? await Task.sleep(for: .seconds(5))
                continue
            }
            let shutdown = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await lease.lost(epoch: epoch); return false }
                group.addTask { try? await gracefulShutdown(); return true }
                let first = await group.next() ?? true
                group.cancelAll()
                return first
            }
            if shutdown {
                shuttingDown = true
                await drainCurrent()
                leasedEpoch = nil
                await lease.release(epoch: epoch)
                return
            }
            leasedEpoch = nil
            if let runner = slot.withLock({ $0.runner }) {
                _ = try? await onThread("chain-abandon") { runner.abandon(reason: "the chain lease of epoch \(epoch) was lost") }
                slot.withLock { $0.runner = nil }
            }
            logger.warning("chain stopped: the lease was lost; this node is a standby now", metadata: ["lease.epoch": "\(epoch)"])
        }
    }

    private func drainCurrent() async {
        guard let runner = slot.withLock({ $0.runner }) else { return }
        let timeout = config.drainTimeout
        _ = try? await onThread("chain-stop") { runner.stop(deadline: timeout) }
        slot.withLock { $0.runner = nil }
    }

    private func makeRunner(_ config: ChainConfig) async throws -> ChainRunner {
        let (store, stateDirectory, path, logger) = (store, stateDirectory, path, logger)
        // With a lease: nothing is written or synced once this node stops
        // trusting it, with a margin of a fifth of its time to live (at most 1 s).
        var mayWrite: (@Sendable () -> Bool)?
        if let lease = store.chainLease, let epoch = leasedEpoch {
            let margin = min(.seconds(1), lease.timeToLive / 5)
            mayWrite = { lease.isTrusted(epoch: epoch, margin: margin) }
        }
        return try await onThread("chain-init") { [mayWrite] in
            try ChainRunner(config: config, store: store, stateDirectory: stateDirectory, path: path, logger: logger, mayWrite: mayWrite)
        }
    }
}

/// The chain as a service: placed after the store and before the listener,
/// so on shutdown the listener stops first, then the chain drains, then the
/// store closes.
struct ChainControllerService: Service {
    let controller: ChainController

    func run() async throws {
        if let lease = await controller.lease {
            await controller.runLeased(lease)
            return
        }
        try await controller.start()
        try? await gracefulShutdown()
        await controller.stop()
    }
}
