public import CoreMetrics
import HookpipeSync

/// One source's request metrics, created once per source so that counting a
/// request costs an atomic increment (plus the histogram's own lock for an
/// acknowledgement), never a lookup in the metrics registry.
///
/// `accepted` and `duplicate`, the hot outcomes, have their series ready;
/// refusals (rare, from a bounded set of codes) are created on first use
/// and kept.
public final class RequestMetrics: Sendable {
    /// The series of acknowledged requests.
    private struct Acknowledgements: Sendable {
        var accepted: Counter
        var duplicate: Counter
        var duplicates: Counter
        var latency: Timer
    }

    private let source: String
    private let factory: any MetricsFactory
    /// `nil` for unrouted requests, which are never acknowledged.
    private let acknowledgements: Acknowledgements?
    private let refusals = Locked<[String: Counter]>([:])
    private let signatureFailures = Locked<[String: Counter]>([:])
    private let activity: RequestActivity?

    /// A source's metrics; `activity` also counts its requests per minute (the console's chart).
    public convenience init(source: String, factory: any MetricsFactory = MetricsSystem.factory, activity: RequestActivity? = nil) {
        let dimensions = [(MetricLabel.source, source)]
        self.init(source: source, factory: factory, activity: activity, acknowledgements: Acknowledgements(
            accepted: Self.requestCounter(source: source, outcome: "accepted", factory: factory),
            duplicate: Self.requestCounter(source: source, outcome: "duplicate", factory: factory),
            duplicates: Counter(label: MetricName.duplicates, dimensions: dimensions, factory: factory),
            latency: Timer(label: MetricName.ackLatency, dimensions: dimensions, factory: factory)))
    }

    /// The metrics of requests that matched no source (`source=""`): refusals only.
    public static func unrouted(factory: any MetricsFactory = MetricsSystem.factory, activity: RequestActivity? = nil) -> RequestMetrics {
        RequestMetrics(source: "", factory: factory, activity: activity, acknowledgements: nil)
    }

    private init(source: String, factory: any MetricsFactory, activity: RequestActivity?, acknowledgements: Acknowledgements?) {
        self.source = source
        self.factory = factory
        self.activity = activity
        self.acknowledgements = acknowledgements
    }

    /// Counts one answered request.
    ///
    /// - Parameters:
    ///   - outcome: the response's outcome code.
    ///   - status: its HTTP status; 401 also counts a signature failure with `outcome` as the reason.
    ///   - elapsedNanos: from the request head to the answer; an acknowledgement
    ///     (`accepted`, `duplicate`) records it as the ack latency.
    public func record(outcome: String, status: Int, elapsedNanos: UInt64) {
        activity?.record(source: source, accepted: (200..<300).contains(status))
        if let acknowledgements {
            switch outcome {
            case "accepted":
                acknowledgements.accepted.increment()
                acknowledgements.latency.recordNanoseconds(Int64(clamping: elapsedNanos))
                return
            case "duplicate":
                acknowledgements.duplicate.increment()
                acknowledgements.duplicates.increment()
                acknowledgements.latency.recordNanoseconds(Int64(clamping: elapsedNanos))
                return
            default:
                break
            }
        }
        counter(in: refusals, outcome) { Self.requestCounter(source: source, outcome: $0, factory: factory) }.increment()
        if status == 401 {
            counter(in: signatureFailures, outcome) {
                Counter(label: MetricName.signatureFailures,
                        dimensions: [(MetricLabel.source, source), (MetricLabel.reason, $0)], factory: factory)
            }.increment()
        }
    }

    private func counter(in table: Locked<[String: Counter]>, _ key: String, make: (String) -> Counter) -> Counter {
        table.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = make(key)
            counters[key] = counter
            return counter
        }
    }

    private static func requestCounter(source: String, outcome: String, factory: any MetricsFactory) -> Counter {
        Counter(label: MetricName.requests, dimensions: [(MetricLabel.source, source), (MetricLabel.outcome, outcome)], factory: factory)
    }
}
