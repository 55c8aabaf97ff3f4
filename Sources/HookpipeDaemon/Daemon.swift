public import HookpipeConfig
import Foundation
import HookpipeAdmin
import HookpipeChain
import HookpipeReceiver
import HookpipeStore
import HookpipeSync
import HookpipeSystemd
import HookpipeTelemetry
public import Logging
import NIOCore
import NIOPosix
import UnixSignals
import NIOSSL
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
        // SIGTERM and SIGINT are trapped first, so that a stop asked for at any
        // point of start-up (store recovery, just after "listening") becomes a
        // graceful shutdown instead of the default action, death mid-start.
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        // Before anything opens a file: connections must not take the descriptors the store and stages need.
        let descriptorLimits = DescriptorLimit.raiseSoftToHard()
        for warning in loaded.warnings {
            logger.warning("config warning", metadata: ["detail": "\(warning)"])
        }
        // systemd: notify socket, watchdog, activated sockets (all optional).
        let notifier = SystemdNotifier(environment: environment)
        let watchdog = try WatchdogSettings(environment: environment)
        let activation = try SocketActivation.adopt(environment: environment)
        _ = try? notifier.status("recovering the store")
        let sources = try SourceFactory.make(config.sources, configFile: configFile, environment: environment)
        let proxies = try SourceFactory.trustedProxies(config.server, configFile: configFile)
        let tls = try Self.makeTLS(config.server)
        try Self.prepareStateDirectory(config.store.stateDirectory)
        let lock = try StateDirectoryLock(stateDirectory: config.store.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        if let previous = try? StatusSnapshot.read(stateDirectory: config.store.stateDirectory) {
            LeftoverStages.stop(previous: previous, logger: logger)
        }
        // Metrics: a Prometheus registry when [admin] is enabled, swift-metrics' no-op otherwise.
        let metrics = Self.makeMetrics(config.admin)
        // Recovery (SQLite WAL replay; PostgreSQL's connection and schema migrations) completes before the port opens.
        let store = try await StoreFactory.open(config.store, environment: environment, role: .daemon, logger: logger,
                                                metrics: metrics.store)
        let storeLocation = StoreFactory.location(config.store, environment: environment)
        let lastSeq = try await store.lastSequence()
        logger.notice("store open", metadata: ["store.backend": "\(config.store.backend.rawValue)", "store.path": "\(storeLocation)",
                                               "store.last_seq": "\(lastSeq)"])
        let chain = ChainController(config: config.chain, store: store, stateDirectory: config.store.stateDirectory,
                                    path: environment["PATH"], logger: logger)
        do {
            try await chain.prepare()
        } catch {
            await store.close()
            throw error
        }
        // Trapped before the listener opens (and says "listening"), so a reload asked for from then on is not lost.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let threads = config.server.threads > 0 ? config.server.threads : System.coreCount
        let maxConnections = Self.fitConnections(config, threads: threads, limits: descriptorLimits, logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let httpSocket = activation?.listener(named: SocketActivation.httpName)
        let receiver = ReceiverServer(
            settings: .init(host: config.server.host, port: config.server.port, maxBodyBytes: config.server.maxBodyBytes,
                            maxHeaderBytes: config.server.maxHeaderBytes, maxConnections: maxConnections,
                            requestTimeout: config.server.requestTimeout, idleTimeout: config.server.idleTimeout,
                            firstByteTimeout: config.server.firstByteTimeout,
                            inheritedSocket: httpSocket),
            ingest: Ingest(sources: sources, trustedProxies: proxies, metricsFactory: metrics.factory, activity: metrics.activity),
            tls: tls, store: store, group: group, logger: logger)
        let storeHealth = StoreHealth()
        let adminSocket = activation?.listener(named: SocketActivation.adminName)
        let published = Locked(config)
        let admin: AdminServer?
        do {
            admin = try Self.makeAdmin(config.admin, metrics: metrics, store: store, storeHealth: storeHealth, runner: { chain.runner },
                                       console: .init(config: published, storeLocation: storeLocation, environment: environment),
                                       inheritedSocket: adminSocket, group: group, logger: logger)
        } catch {
            await store.close()
            throw error
        }
        do {
            try await ListenerError.opening("public", host: config.server.host, port: config.server.port, inheritedSocket: httpSocket) {
                try await receiver.bind()
            }
            if let admin {
                try await ListenerError.opening("admin", host: config.admin.host, port: config.admin.port, inheritedSocket: adminSocket) {
                    try await admin.bind()
                }
            }
        } catch {
            await receiver.close()
            await store.close()
            try? await group.shutdownGracefully()
            throw error
        }
        let statusLine = Self.statusLine(sources: sources.count, chain: chain, store: store, health: storeHealth)
        let address = receiver.localAddress
        var services: [any Service] = [
            StoreService(store: store, path: storeLocation, health: storeHealth, retention: config.store.retention,
                         consumer: { chain.consumer }, logger: logger),
            ChainControllerService(controller: chain),
            receiver,
            StatusFileService(
                stateDirectory: config.store.stateDirectory,
                listener: "\(receiver.scheme)://\(address?.ipAddress ?? config.server.host):\(address?.port ?? config.server.port)",
                sources: sources.map(\.name), store: store, storeHealth: storeHealth, chain: { chain.runner }, interval: .seconds(1), logger: logger),
            ReloadService(reloader: Reloader(configFile: configFile, environment: environment, running: config,
                                             receiver: receiver, chain: chain, metricsFactory: metrics.factory,
                                             activity: metrics.activity, published: published,
                                             notifier: notifier, logger: logger),
                          hangups: hangups),
            // Last to start (READY=1 once everything before it runs), first to stop (STOPPING=1).
            SystemdService(notifier: notifier, watchdog: watchdog, eventLoop: group.next(),
                           chainHeartbeat: { chain.heartbeat }, statusLine: statusLine, logger: logger),
        ]
        // After the receiver, so it stops first: /readyz fails before the listener closes.
        if let admin { services.insert(admin, at: 3) }
        for source in sources {
            logger.info("source ready", metadata: ["hook.source": "\(source.name)", "http.path": "\(source.path)",
                                                   "hook.scheme": "\(source.scheme.name)"])
        }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [],
            logger: logger))
        // The stop signals trapped at the top; one that came before the group
        // runs is remembered by it, and the shutdown starts as soon as it does.
        let forwarder = Task { [logger] in
            for await signal in stops {
                logger.notice("stop requested", metadata: ["signal": "\(signal)"])
                await serviceGroup.triggerGracefulShutdown()
            }
        }
        defer { forwarder.cancel() }
        try await serviceGroup.run()
        try? await group.shutdownGracefully()
        logger.notice("stopped")
    }

    /// The one-line `STATUS=` for systemd: sources, checkpoint, backlog, failing stages.
    static func statusLine(sources: Int, chain: ChainController, store: any EventStore, health: StoreHealth) -> @Sendable () async -> String {
        { [chain, store] in
            var parts = ["\(sources) sources"]
            if case .damaged = health.current { parts.insert("DEGRADED: store file damaged (see the log)", at: 0) }
            guard let status = chain.runner?.status() else { return (parts + ["no chain"]).joined(separator: "; ") }
            let backlog = (try? await store.lastSequence()).map { $0 - status.checkpoint } ?? 0
            parts.append("chain of \(status.stages.count) stages, checkpoint \(status.checkpoint), backlog \(backlog)")
            let failed = status.stages.filter(\.failed).map(\.name)
            parts.append(failed.isEmpty ? "all stages running" : "DEGRADED: failing \(failed.joined(separator: ","))")
            return parts.joined(separator: "; ")
        }
    }

    /// `[server] max_connections`, lowered when the descriptor limit leaves
    /// no room for it beside the reserve (``DescriptorBudget``); logs both limits.
    static func fitConnections(_ config: PipelineConfig, threads: Int, limits: (before: DescriptorLimit, after: DescriptorLimit)?,
                               logger: Logger) -> Int {
        guard let limits else {
            logger.warning("cannot read the file descriptor limit (getrlimit); max_connections is not fitted to it")
            return config.server.maxConnections
        }
        let budget = DescriptorBudget(descriptorLimit: limits.after.soft, configured: config.server.maxConnections, threads: threads,
                                      stages: config.chain.stages.count,
                                      adminConnections: config.admin.enabled ? AdminServer.Limits().maxConnections : 0)
        let metadata: Logger.Metadata = [
            "fd.soft_at_start": "\(limits.before.soft)", "fd.soft": "\(limits.after.soft)", "fd.hard": "\(limits.after.hard)",
            "fd.reserve": "\(budget.reserve)", "http.max_connections": "\(budget.maxConnections)",
        ]
        if budget.lowered {
            logger.warning("max_connections lowered to fit the file descriptor limit (raise LimitNOFILE= to allow more)",
                           metadata: metadata.merging(["config.max_connections": "\(config.server.maxConnections)"]) { $1 })
        } else {
            logger.notice("file descriptor limit", metadata: metadata)
        }
        return budget.maxConnections
    }

    /// The receiver's TLS context when `[server]` names a certificate and key.
    static func makeTLS(_ server: ServerConfig) throws -> NIOSSLContext? {
        guard let certificate = server.tlsCertificate, let key = server.tlsKey else { return nil }
        return try ReceiverTLS.makeContext(certificatePath: certificate, keyPath: key)
    }

    /// Creates the state directory (mode 0700) when missing.
    static func prepareStateDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }
}
