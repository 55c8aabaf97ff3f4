import CoreMetrics
import HookpipeAdmin
import HookpipeChain
import HookpipeConfig
import HookpipeStore
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
        return RunMetrics(prometheus: prometheus, factory: prometheus.factory, store: StoreMetrics(factory: prometheus.factory))
    }

    /// The admin listener when `[admin]` is enabled (not bound yet).
    static func makeAdmin(_ config: AdminConfig, metrics: RunMetrics, store: any EventStore, storeHealth: StoreHealth,
                          runner: @escaping @Sendable () -> ChainRunner?,
                          inheritedSocket: Int32?, group: any EventLoopGroup, logger: Logger) -> AdminServer? {
        guard config.enabled, let prometheus = metrics.prometheus else { return nil }
        return AdminServer(
            settings: .init(host: config.host, port: config.port, inheritedSocket: inheritedSocket),
            endpoints: AdminEndpoints(metrics: prometheus, store: store, runner: runner, storeMetrics: metrics.store,
                                      storeDamage: { if case .damaged(let problems) = storeHealth.current { problems } else { [] } }),
            group: group, logger: logger)
    }
}
