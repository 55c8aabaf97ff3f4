import CoreMetrics
import HookpipeConfig
import HookpipeReceiver
import HookpipeSync
import HookpipeSystemd
import HookpipeTelemetry
import HookpipeVerification
import Logging
import NIOSSL

/// Applies a new `pipeline.conf` to the running daemon (SIGHUP).
///
/// Everything that can fail (parsing, secrets, schemes, TLS files) is built
/// before anything changes, so an invalid file is rejected with one log line
/// and the previous configuration keeps running. Then the receiver's sources
/// and TLS context are swapped (requests in progress finish with the old
/// ones) and, when the chain changed, it is drained and restarted. systemd
/// hears `RELOADING=1` first and `READY=1` when done, either way.
actor Reloader {
    private let configFile: String
    private let environment: [String: String]
    private let receiver: ReceiverServer
    private let chain: ChainController
    private let metricsFactory: any MetricsFactory
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let activity: RequestActivity?
    private let published: Locked<PipelineConfig>?
    private var running: PipelineConfig

    /// - Parameters:
    ///   - activity: the console's per-minute request counts, kept across reloads.
    ///   - published: set to the configuration in force after each reload (what the console reads).
    init(configFile: String, environment: [String: String], running: PipelineConfig, receiver: ReceiverServer,
         chain: ChainController, metricsFactory: any MetricsFactory, activity: RequestActivity? = nil,
         published: Locked<PipelineConfig>? = nil, notifier: SystemdNotifier, logger: Logger) {
        self.metricsFactory = metricsFactory
        self.activity = activity
        self.published = published
        self.configFile = configFile
        self.environment = environment
        self.running = running
        self.receiver = receiver
        self.chain = chain
        self.notifier = notifier
        self.logger = logger
    }

    /// The configuration in force (for tests and status).
    var current: PipelineConfig { running }

    /// Outcome of one reload, also logged.
    enum Outcome: Equatable {
        case applied(ReloadPlan)
        case rejected(String)
        /// Sources and TLS were applied; the new chain could not start and the previous one runs again.
        case chainKept(ReloadPlan, String)
    }

    @discardableResult
    func reload() async -> Outcome {
        notify("RELOADING=1") { try notifier.reloading() }
        defer { notify("READY=1") { try notifier.ready() } }
        logger.notice("reloading the configuration", metadata: ["config.file": "\(configFile)"])
        let loaded: LoadedConfig
        let sources: [SourceRuntime]
        let proxies: TrustedProxies?
        let tls: NIOSSLContext?
        do {
            loaded = try ConfigLoader.load(path: configFile, environment: environment)
            sources = try SourceFactory.make(loaded.config.sources, configFile: configFile, environment: environment)
            proxies = try SourceFactory.trustedProxies(loaded.config.server, configFile: configFile)
            tls = try Daemon.makeTLS(loaded.config.server)
        } catch {
            logger.error("reload rejected: the previous configuration keeps running", metadata: ["error": "\(error)"])
            return .rejected("\(error)")
        }
        for warning in loaded.warnings {
            logger.warning("config warning", metadata: ["detail": "\(warning)"])
        }
        let plan = ReloadPlan(running: running, new: loaded.config)
        var next = ReloadPlan.effective(running: running, new: loaded.config)
        receiver.update(ingest: Ingest(sources: sources, trustedProxies: proxies, metricsFactory: metricsFactory, activity: activity), tls: tls)
        var outcome = Outcome.applied(plan)
        if plan.chainChanged {
            logger.notice("chain changed: draining it and starting the new one")
            do {
                try await chain.replace(with: loaded.config.chain)
            } catch {
                next.chain = running.chain
                outcome = .chainKept(plan, "\(error)")
            }
        }
        running = next
        published?.withLock { $0 = next }
        var metadata: Logger.Metadata = [
            "config.sources": "\(sources.map(\.name).joined(separator: ","))",
            "config.chain": "\(plan.chainChanged ? (outcome == .applied(plan) ? "restarted" : "kept the previous one") : "unchanged")",
            "http.scheme": "\(receiver.scheme)",
        ]
        if !plan.sourcesAdded.isEmpty { metadata["config.sources_added"] = "\(plan.sourcesAdded.joined(separator: ","))" }
        if !plan.sourcesRemoved.isEmpty { metadata["config.sources_removed"] = "\(plan.sourcesRemoved.joined(separator: ","))" }
        if !plan.sourcesChanged.isEmpty { metadata["config.sources_changed"] = "\(plan.sourcesChanged.joined(separator: ","))" }
        if !plan.needsRestart.isEmpty {
            logger.warning("reload: these changes take effect only after a restart",
                           metadata: ["config.needs_restart": "\(plan.needsRestart.joined(separator: "; "))"])
        }
        logger.notice("configuration reloaded", metadata: metadata)
        return outcome
    }

    private func notify(_ what: String, _ body: () throws -> Bool) {
        guard notifier.isEnabled else { return }
        do {
            _ = try body()
        } catch {
            logger.warning("systemd notification failed", metadata: ["notify": "\(what)", "error": "\(error)"])
        }
    }
}
