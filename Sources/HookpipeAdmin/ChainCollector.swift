public import CoreMetrics
public import HookpipeStore
import HookpipeTelemetry
import HookpipeSync

/// Turns the store's and the chain's state into metrics when `/metrics` is
/// scraped (collector style): gauges are set to the sampled values, counters
/// advanced by what the chain's running totals grew since the last scrape.
///
/// Nothing here runs on the request path. Chain series exist only once a
/// chain was sampled, so a daemon without `[[stage]]` exports none.
public final class ChainCollector: Sendable {
    /// One stage's series and the totals they were last advanced to.
    private struct StageSeries {
        var eventsIn: Counter
        var eventsOut: Counter
        var restarts: Counter
        var failed: Gauge
        var cursors = (eventsIn: CounterCursor(), eventsOut: CounterCursor(), restarts: CounterCursor())
    }

    private struct ChainSeries {
        var checkpoint: Gauge
        var backlog: Gauge
        var inFlight: Gauge
        var deadLetters: Counter
        var invalidLines: Counter
        var cursors = (deadLetters: CounterCursor(), invalidLines: CounterCursor())
        var stages: [String: StageSeries] = [:]
    }

    private let factory: any MetricsFactory
    private let lastSequence: Gauge
    private let pendingDeadLetters: Gauge
    private let chain = Locked<ChainSeries?>(nil)
    private let cluster = Locked<ClusterSeries?>(nil)

    private struct ClusterSeries {
        var held: Gauge
        var epoch: Gauge
        var nodes: Gauge
        var unsequenced: Gauge
    }

    /// Records the lease as this node sees it and the cluster as the store
    /// records it (shared stores only; `cluster` is `nil` when the query failed).
    public func collect(leaseHeld: Bool, cluster sample: ChainCluster?) {
        cluster.withLock { series in
            let gauges = series ?? ClusterSeries(held: Gauge(label: MetricName.chainLeaseHeld, factory: factory),
                                                 epoch: Gauge(label: MetricName.chainLeaseEpoch, factory: factory),
                                                 nodes: Gauge(label: MetricName.clusterNodes, factory: factory),
                                                 unsequenced: Gauge(label: MetricName.unsequencedEvents, factory: factory))
            gauges.held.record(leaseHeld ? 1 : 0)
            if let sample {
                gauges.epoch.record(sample.epoch)
                gauges.nodes.record(sample.nodes.count)
                gauges.unsequenced.record(sample.unsequenced)
            }
            series = gauges
        }
    }

    /// Creates the store gauges now; chain series on the first sample with a chain.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        lastSequence = Gauge(label: MetricName.storeLastSequence, factory: factory)
        pendingDeadLetters = Gauge(label: MetricName.deadLettersPending, factory: factory)
    }

    /// Records one sample.
    /// - Parameters:
    ///   - lastSequence: the store's highest sequence number; `nil` when the query failed (gauges keep their values).
    ///   - pendingDeadLetters: dead letters in the store; `nil` when the query failed.
    ///   - chain: the chain's state; `nil` without a chain.
    public func collect(lastSequence: Int64?, pendingDeadLetters: Int?, chain sample: ChainSample?) {
        if let lastSequence { self.lastSequence.record(lastSequence) }
        if let pendingDeadLetters { self.pendingDeadLetters.record(pendingDeadLetters) }
        guard let sample else { return }
        chain.withLock { series in
            var chain = series ?? makeChainSeries()
            chain.checkpoint.record(sample.checkpoint)
            if let lastSequence { chain.backlog.record(max(0, lastSequence - sample.checkpoint)) }
            chain.inFlight.record(sample.inFlight)
            chain.deadLetters.increment(by: chain.cursors.deadLetters.advance(to: Int64(sample.deadLettered)))
            chain.invalidLines.increment(by: chain.cursors.invalidLines.advance(to: Int64(sample.invalidLines)))
            for stage in sample.stages {
                var stageSeries = chain.stages[stage.name] ?? makeStageSeries(stage.name)
                stageSeries.eventsIn.increment(by: stageSeries.cursors.eventsIn.advance(to: stage.linesIn))
                stageSeries.eventsOut.increment(by: stageSeries.cursors.eventsOut.advance(to: stage.linesOut))
                stageSeries.restarts.increment(by: stageSeries.cursors.restarts.advance(to: Int64(stage.restarts)))
                stageSeries.failed.record(stage.failed ? 1 : 0)
                chain.stages[stage.name] = stageSeries
            }
            series = chain
        }
    }

    private func makeChainSeries() -> ChainSeries {
        ChainSeries(checkpoint: Gauge(label: MetricName.chainCheckpoint, factory: factory),
                    backlog: Gauge(label: MetricName.backlog, factory: factory),
                    inFlight: Gauge(label: MetricName.chainInFlight, factory: factory),
                    deadLetters: Counter(label: MetricName.deadLetters, factory: factory),
                    invalidLines: Counter(label: MetricName.invalidLines, factory: factory))
    }

    private func makeStageSeries(_ name: String) -> StageSeries {
        let dimensions = [(MetricLabel.stage, name)]
        return StageSeries(eventsIn: Counter(label: MetricName.stageEventsIn, dimensions: dimensions, factory: factory),
                           eventsOut: Counter(label: MetricName.stageEventsOut, dimensions: dimensions, factory: factory),
                           restarts: Counter(label: MetricName.stageRestarts, dimensions: dimensions, factory: factory),
                           failed: Gauge(label: MetricName.stageFailed, dimensions: dimensions, factory: factory))
    }
}
