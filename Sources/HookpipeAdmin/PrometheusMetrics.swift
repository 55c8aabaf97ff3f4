import CoreMetrics
import HookpipeTelemetry
public import Prometheus
import Synchronization

/// The metrics backend: a Prometheus registry behind swift-metrics, with
/// hookpipe's latency buckets. The daemon makes one; tests make their own.
public struct PrometheusMetrics: Sendable {
    /// Holds every series; `/metrics` prints it.
    public let registry: PrometheusCollectorRegistry
    /// Hand this to the parts that record metrics.
    public let factory: PrometheusMetricsFactory

    private static let bootstrapped = Atomic<Bool>(false)

    /// A factory over `registry` (a new, empty one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = MetricBuckets.latency
        for name in MetricName.latencyHistograms {
            factory.durationHistogramBuckets[name] = MetricBuckets.latency
        }
        self.registry = registry
        self.factory = factory
    }

    /// Makes ``factory`` the process-wide `MetricsSystem` factory, for
    /// libraries that record through it. Only the first call in a process
    /// does so (swift-metrics allows one bootstrap); returns whether this one did.
    @discardableResult
    public func bootstrapProcessWide() -> Bool {
        guard Self.bootstrapped.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return false }
        MetricsSystem.bootstrap(factory)
        return true
    }

    /// The text exposition (`text/plain; version=0.0.4`) of every series.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }
}
