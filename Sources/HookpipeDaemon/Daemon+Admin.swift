import CoreMetrics
import HookpipeAdmin
import HookpipeChain
import HookpipeConfig
import HookpipeConsole
import HookpipeStore
import HookpipeSync
import HookpipeTelemetry
import Logging
import NIOCore

extension Daemon {
    /// Where one run's parts record their metrics, and the registry `/metrics` prints.
    struct RunMetrics {
        /// `nil` when `[admin]` is off: nothing could read the numbers.
        var prometheus: PrometheusMetrics?
        var factory: any MetricsFactory
        var store: StoreMetrics
        /// Requests per source and minute, for the console's chart (`nil`: no console).
        var activity: RequestActivity?
    }

    /// What the console needs from the daemon besides the admin's parts.
    struct ConsoleInputs {
        /// The configuration in force (the reloader replaces it).
        var config: Locked<PipelineConfig>
        /// The store as the logs name it (no password).
        var storeLocation: String
        /// For `console_auth`'s secret reference.
        var environment: [String: String]
    }

    /// A Prometheus registry (also bootstrapped as the process-wide
    /// `MetricsSystem`, once) when `[admin]` is enabled; swift-metrics' no-op
    /// handler otherwise, so the request path pays next to nothing.
    static func makeMetrics(_ admin: AdminConfig) -> RunMetrics {
        guard admin.enabled else {
            let noop = NOOPMetricsHandler.instance
            return RunMetrics(prometheus: nil, factory: noop, store: StoreMetrics(factory: noop))
        }
        let prometheus = PrometheusMetrics()
        prometheus.bootstrapProcessWide()
        return RunMetrics(prometheus: prometheus, factory: prometheus.factory, store: StoreMetrics(factory: prometheus.factory),
                          activity: admin.console ? RequestActivity() : nil)
    }

    /// The admin listener when `[admin]` is enabled (not bound yet), with the
    /// console when `console` is on. Throws when `console_auth` cannot be read.
    static func makeAdmin(_ config: AdminConfig, metrics: RunMetrics, store: any EventStore, storeHealth: StoreHealth,
                          runner: @escaping @Sendable () -> ChainRunner?, console inputs: ConsoleInputs,
                          inheritedSocket: Int32?, group: any EventLoopGroup, logger: Logger) throws -> AdminServer? {
        guard config.enabled, let prometheus = metrics.prometheus else { return nil }
        let storeDamage: @Sendable () -> [String] = { if case .damaged(let problems) = storeHealth.current { problems } else { [] } }
        var console: Console?
        if config.console, let activity = metrics.activity {
            let credentials = try config.consoleAuth?.resolve(environment: inputs.environment,
                                                              credentialsDirectory: inputs.environment["CREDENTIALS_DIRECTORY"])
            let published = inputs.config
            let location = inputs.storeLocation
            console = try Console(
                settings: .init(actions: config.consoleActions, credentials: credentials?.value), store: store, runner: runner,
                context: {
                    let config = published.withLock { $0 }
                    return Console.Context(sources: config.sources.map(\.name), chainConfigured: !config.chain.stages.isEmpty,
                                           backend: "\(config.store.backend.rawValue): \(location)")
                },
                storeDamage: storeDamage, activity: activity, logger: logger)
        }
        return AdminServer(
            settings: .init(host: config.host, port: config.port, inheritedSocket: inheritedSocket,
                            consoleNeedsLoopback: console != nil && config.consoleAuth == nil),
            endpoints: AdminEndpoints(metrics: prometheus, store: store, runner: runner, storeMetrics: metrics.store,
                                      storeDamage: storeDamage, console: console),
            group: group, logger: logger)
    }
}
