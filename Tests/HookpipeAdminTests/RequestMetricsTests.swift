import HookpipeAdmin
import HookpipeTelemetry
import Logging
import Testing

@Suite("Request and store metrics")
struct RequestMetricsTests {
    @Test("outcomes count by source and outcome; duplicates and 401 reasons get their own counters")
    func requestCounters() {
        let metrics = PrometheusMetrics()
        let stripe = RequestMetrics(source: "stripe", factory: metrics.factory)
        stripe.record(outcome: "accepted", status: 200, elapsedNanos: 300_000)
        stripe.record(outcome: "accepted", status: 200, elapsedNanos: 700_000)
        stripe.record(outcome: "duplicate", status: 200, elapsedNanos: 250_000)
        stripe.record(outcome: "signature_mismatch", status: 401, elapsedNanos: 40_000)
        stripe.record(outcome: "signature_mismatch", status: 401, elapsedNanos: 40_000)
        stripe.record(outcome: "timestamp_too_old", status: 401, elapsedNanos: 40_000)
        stripe.record(outcome: "invalid_json", status: 400, elapsedNanos: 40_000)
        RequestMetrics.unrouted(factory: metrics.factory).record(outcome: "unknown_path", status: 404, elapsedNanos: 1)
        let values = series(metrics)
        #expect(values[#"hookpipe_requests_total{source="stripe",outcome="accepted"}"#] == "2")
        #expect(values[#"hookpipe_requests_total{source="stripe",outcome="duplicate"}"#] == "1")
        #expect(values[#"hookpipe_requests_total{source="stripe",outcome="signature_mismatch"}"#] == "2")
        #expect(values[#"hookpipe_requests_total{source="stripe",outcome="invalid_json"}"#] == "1")
        #expect(values[#"hookpipe_requests_total{source="",outcome="unknown_path"}"#] == "1")
        #expect(values[#"hookpipe_duplicates_total{source="stripe"}"#] == "1")
        #expect(values[#"hookpipe_signature_failures_total{source="stripe",reason="signature_mismatch"}"#] == "2")
        #expect(values[#"hookpipe_signature_failures_total{source="stripe",reason="timestamp_too_old"}"#] == "1")
        #expect(values.keys.filter { $0.hasPrefix("hookpipe_signature_failures_total") }.count == 2)
        #expect(values.keys.filter { $0.contains(#"source="""#) } == [#"hookpipe_requests_total{source="",outcome="unknown_path"}"#],
                "unrouted requests are never acknowledged: no ack series for them")
        let kinds = types(metrics)
        #expect(kinds["hookpipe_requests_total"] == "counter")
        #expect(kinds["hookpipe_ack_latency_seconds"] == "histogram")
    }

    @Test("acknowledgements (accepted, duplicate) fill the ack latency histogram's 1-2-5 buckets")
    func ackLatency() {
        let metrics = PrometheusMetrics()
        let source = RequestMetrics(source: "github", factory: metrics.factory)
        source.record(outcome: "accepted", status: 200, elapsedNanos: 300_000)  // 0.3 ms
        source.record(outcome: "duplicate", status: 200, elapsedNanos: 1_500_000)  // 1.5 ms
        source.record(outcome: "signature_mismatch", status: 401, elapsedNanos: 100)  // not an ack
        let values = series(metrics)
        let prefix = #"hookpipe_ack_latency_seconds_bucket{source="github",le="#
        #expect(values[prefix + #""0.0002"}"#] == "0")
        #expect(values[prefix + #""0.0005"}"#] == "1")
        #expect(values[prefix + #""0.001"}"#] == "1")
        #expect(values[prefix + #""0.002"}"#] == "2")
        #expect(values[prefix + #""10.0"}"#] == "2")
        #expect(values[prefix + #""+Inf"}"#] == "2")
        #expect(values[#"hookpipe_ack_latency_seconds_count{source="github"}"#] == "2")
        #expect(values[#"hookpipe_ack_latency_seconds_sum{source="github"}"#] == "0.0018")
        #expect(values.keys.filter { $0.hasPrefix(#"hookpipe_ack_latency_seconds_bucket{source="github""#) }.count
            == MetricBuckets.latency.count + 1)
    }

    @Test("the same source twice shares its series (one registry entry per label set)")
    func sharedSeries() {
        let metrics = PrometheusMetrics()
        RequestMetrics(source: "a", factory: metrics.factory).record(outcome: "accepted", status: 200, elapsedNanos: 1)
        RequestMetrics(source: "a", factory: metrics.factory).record(outcome: "accepted", status: 200, elapsedNanos: 1)
        #expect(series(metrics)[#"hookpipe_requests_total{source="a",outcome="accepted"}"#] == "2")
    }

    @Test("a request event logs its line and counts it, even when the level hides the line")
    func requestEvent() {
        let metrics = PrometheusMetrics()
        let source = RequestMetrics(source: "shopify", factory: metrics.factory)
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        RequestCompleted(status: 401, outcome: "missing_header", method: "POST", uri: "/hooks/shopify?x=1", peer: "127.0.0.1",
                         source: "shopify", eventID: nil, reason: "no signature header", startNanos: 0)
            .emit(to: logger, metrics: source)
        #expect(series(metrics)[#"hookpipe_signature_failures_total{source="shopify",reason="missing_header"}"#] == "1")
    }

    @Test("store commits: latency of successful ones; a failure is remembered for readiness until a commit succeeds")
    func storeMetrics() {
        let metrics = PrometheusMetrics()
        let store = StoreMetrics(factory: metrics.factory)
        let now = ContinuousClock.now
        store.committed(nanoseconds: 400_000)
        #expect(store.recentFailure(within: .seconds(10)) == nil)
        store.commitFailed(code: "store_full", at: now)
        #expect(store.recentFailure(within: .seconds(10), now: now + .seconds(9)) == "store_full")
        #expect(store.recentFailure(within: .seconds(10), now: now + .seconds(11)) == nil)
        store.committed(nanoseconds: 900_000)
        #expect(store.recentFailure(within: .seconds(10), now: now) == nil)
        let values = series(metrics)
        #expect(values["hookpipe_store_commit_seconds_count"] == "2")
        #expect(values[#"hookpipe_store_commit_seconds_bucket{le="0.0005"}"#] == "1")
        #expect(values[#"hookpipe_store_commit_seconds_bucket{le="0.001"}"#] == "2")
    }
}
