public import HookpipeConfig
import Foundation
import HookpipeAdmin
import HookpipeChain
import HookpipeReceiver
import HookpipeStore
import HookpipeSystemd
import HookpipeTelemetry
public import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `hookpipe run`: recovers the store, opens the listener, starts the chain,
/// serves until SIGTERM or SIGINT, then shuts down in reverse order: the
/// listener closes, the chain drains and saves its checkpoint, the store closes.
public struct Daemon {
    public let loaded: LoadedConfig
    public let configFile: String
    public let logger: Logger
    public let environment: [String: String]

    public init(loaded: LoadedConfig, configFile: String, logger: Logger, environment: [String: String]) {
        self.loaded = loaded
        self.configFile = configFile
        self.logger = logger
        self.environment = environment
    }

    /// Builds every part, then runs them until a shutdown signal.
    public func run() async throws {
        let config = loaded.config
        for warning in loaded.warnings {
            logger.warning("config warning", metadata: ["detail": "\(warning)"])
        }
        try Self.refuseUnavailable(config)
        // systemd: notify socket, watchdog, activated sockets (all optional).
        let notifier = SystemdNotifier(environment: environment)
        let watchdog = try WatchdogSettings(environment: environment)
        let activation = try SocketActivation.adopt(environment: environment)
        _ = try? notifier.status("recovering the store")
        let sources = try SourceFactory.make(config.sources, configFile: configFile, environment: environment)
        try Self.prepareStateDirectory(config.store.stateDirectory)
        // Metrics: a Prometheus registry when [admin] is enabled, swift-metrics' no-op otherwise.
        let metrics = Self.makeMetrics(config.admin)
        // Recovery (SQLite WAL replay, migrations) completes before the port opens.
        let store = try SQLiteEventStore(path: config.store.databasePath, maxBatch: config.store.maxBatch, logger: logger,
                                         metrics: metrics.store)
        let lastSeq = try await store.lastSequence()
        logger.notice("store open", metadata: ["store.path": "\(config.store.databasePath)", "store.last_seq": "\(lastSeq)"])
        var runner: ChainRunner?
        if config.chain.stages.isEmpty {
            logger.notice("no [[stage]] configured: events are stored, not processed")
        } else {
            do {
                runner = try ChainRunner(config: config.chain, store: store, stateDirectory: config.store.stateDirectory,
                                         path: environment["PATH"], logger: logger)
            } catch {
                await store.close()
                throw error
            }
        }
        let threads = config.server.threads > 0 ? config.server.threads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let receiver = ReceiverServer(
            settings: .init(host: config.server.host, port: config.server.port, maxBodyBytes: config.server.maxBodyBytes,
                            maxHeaderBytes: config.server.maxHeaderBytes, maxConnections: config.server.maxConnections,
                            requestTimeout: config.server.requestTimeout, idleTimeout: config.server.idleTimeout,
                            inheritedSocket: activation?.listener(named: SocketActivation.httpName)),
            ingest: Ingest(sources: sources, metricsFactory: metrics.factory), store: store, group: group, logger: logger)
        let admin = Self.makeAdmin(config.admin, metrics: metrics, store: store, runner: runner,
                                   inheritedSocket: activation?.listener(named: SocketActivation.adminName), group: group, logger: logger)
        do {
            try await receiver.bind()
            try await admin?.bind()
        } catch {
            await receiver.close()
            await store.close()
            try? await group.shutdownGracefully()
            throw error
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: StoreService(store: store, retention: config.store.retention,
                                        consumer: runner == nil ? nil : ChainRunner.consumer, logger: logger))
        ]
        if let runner { services.append(.init(service: ChainService(runner: runner, drainTimeout: config.chain.drainTimeout))) }
        services.append(.init(service: receiver))
        // After the receiver, so it stops first: /readyz fails before the listener closes.
        if let admin { services.append(.init(service: admin)) }
        // Last to start (READY=1 once everything before it runs), first to stop (STOPPING=1).
        let chain = runner
        var heartbeat: (@Sendable () -> ContinuousClock.Instant)?
        if let chain {
            heartbeat = { chain.heartbeat }
        }
        let scheme = "http"
        services.append(.init(service: StatusFileService(
            stateDirectory: config.store.stateDirectory, listener: "\(scheme)://\(receiver.localAddress?.ipAddress ?? config.server.host):\(receiver.localAddress?.port ?? config.server.port)",
            sources: sources.map(\.name), store: store, runner: chain, interval: .seconds(1), logger: logger)))
        let statusLine = Self.statusLine(sources: sources.count, runner: chain, store: store)
        services.append(.init(service: SystemdService(
            notifier: notifier, watchdog: watchdog, eventLoop: group.next(), chainHeartbeat: heartbeat,
            statusLine: statusLine, logger: logger)))
        for source in sources {
            logger.info("source ready", metadata: ["hook.source": "\(source.name)", "http.path": "\(source.path)",
                                                   "hook.scheme": "\(source.scheme.name)"])
        }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await serviceGroup.run()
        try? await group.shutdownGracefully()
        logger.notice("stopped")
    }

    /// The one-line `STATUS=` for systemd: sources, checkpoint, backlog, failing stages.
    static func statusLine(sources: Int, runner: ChainRunner?, store: any EventStore) -> @Sendable () async -> String {
        { [runner, store] in
            var parts = ["\(sources) sources"]
            guard let status = runner?.status() else { return (parts + ["no chain"]).joined(separator: "; ") }
            let backlog = (try? await store.lastSequence()).map { $0 - status.checkpoint } ?? 0
            parts.append("chain of \(status.stages.count) stages, checkpoint \(status.checkpoint), backlog \(backlog)")
            let failed = status.stages.filter(\.failed).map(\.name)
            parts.append(failed.isEmpty ? "all stages running" : "DEGRADED: failing \(failed.joined(separator: ","))")
            return parts.joined(separator: "; ")
        }
    }

    /// Settings accepted by the config format whose features this version
    /// does not have yet: refused, rather than silently ignored.
    static func refuseUnavailable(_ config: PipelineConfig) throws {
        if config.server.tlsCertificate != nil {
            throw UnavailableFeature(message: "[server] tls_certificate/tls_key: native TLS is not available in this version; terminate TLS in a reverse proxy (nginx, Caddy) for now")
        }
    }

    struct UnavailableFeature: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Creates the state directory (mode 0700) when missing.
    static func prepareStateDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }
}
