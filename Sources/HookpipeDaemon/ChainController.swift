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
        guard !newConfig.stages.isEmpty else {
            logger.notice("chain removed: events are stored, not processed")
            return
        }
        let runner = try await makeRunner(newConfig)
        try await onThread("chain-start") { try runner.start() }
        slot.withLock { $0.runner = runner }
    }

    private func drainCurrent() async {
        guard let runner = slot.withLock({ $0.runner }) else { return }
        let timeout = config.drainTimeout
        _ = try? await onThread("chain-stop") { runner.stop(deadline: timeout) }
        slot.withLock { $0.runner = nil }
    }

    private func makeRunner(_ config: ChainConfig) async throws -> ChainRunner {
        let (store, stateDirectory, path, logger) = (store, stateDirectory, path, logger)
        return try await onThread("chain-init") {
            try ChainRunner(config: config, store: store, stateDirectory: stateDirectory, path: path, logger: logger)
        }
    }
}

/// The chain as a service: placed after the store and before the listener,
/// so on shutdown the listener stops first, then the chain drains, then the
/// store closes.
struct ChainControllerService: Service {
    let controller: ChainController

    func run() async throws {
        try await controller.start()
        try? await gracefulShutdown()
        await controller.stop()
    }
}
