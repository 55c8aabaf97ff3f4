import HookpipeAdmin
import Testing

@Suite("ChainCollector")
struct ChainCollectorTests {
    func sample(checkpoint: Int64, deadLettered: Int, failed: Bool, linesIn: Int64, linesOut: Int64, restarts: Int) -> ChainSample {
        ChainSample(checkpoint: checkpoint, inFlight: 3, deadLettered: deadLettered, invalidLines: 1, stages: [
            .init(name: "normalize", failed: false, restarts: 0, linesIn: linesIn, linesOut: linesOut),
            .init(name: "sink", failed: failed, restarts: restarts, linesIn: linesIn, linesOut: 0),
        ])
    }

    @Test("gauges take the sampled values; counters advance by the growth between scrapes")
    func sampling() {
        let metrics = PrometheusMetrics()
        let collector = ChainCollector(factory: metrics.factory)
        collector.collect(lastSequence: 10, pendingDeadLetters: 2, chain: sample(checkpoint: 4, deadLettered: 1, failed: false, linesIn: 7, linesOut: 6, restarts: 2))
        var values = series(metrics)
        #expect(values["hookpipe_store_last_seq"] == "10.0")
        #expect(values["hookpipe_chain_checkpoint"] == "4.0")
        #expect(values["hookpipe_backlog_events"] == "6.0")
        #expect(values["hookpipe_chain_in_flight"] == "3.0")
        #expect(values["hookpipe_dead_letters_total"] == "1")
        #expect(values["hookpipe_dead_letters_pending"] == "2.0")
        #expect(values["hookpipe_chain_invalid_lines_total"] == "1")
        #expect(values[#"hookpipe_stage_events_in_total{stage="normalize"}"#] == "7")
        #expect(values[#"hookpipe_stage_events_out_total{stage="normalize"}"#] == "6")
        #expect(values[#"hookpipe_stage_restarts_total{stage="sink"}"#] == "2")
        #expect(values[#"hookpipe_stage_failed{stage="sink"}"#] == "0.0")

        collector.collect(lastSequence: 12, pendingDeadLetters: 0, chain: sample(checkpoint: 12, deadLettered: 3, failed: true, linesIn: 9, linesOut: 9, restarts: 5))
        values = series(metrics)
        #expect(values["hookpipe_backlog_events"] == "0.0")
        #expect(values["hookpipe_dead_letters_total"] == "3")
        #expect(values["hookpipe_dead_letters_pending"] == "0.0", "retried or dropped: the gauge falls, the counter does not")
        #expect(values["hookpipe_chain_invalid_lines_total"] == "1")
        #expect(values[#"hookpipe_stage_events_in_total{stage="normalize"}"#] == "9")
        #expect(values[#"hookpipe_stage_restarts_total{stage="sink"}"#] == "5")
        #expect(values[#"hookpipe_stage_failed{stage="sink"}"#] == "1.0")
        let kinds = types(metrics)
        #expect(kinds["hookpipe_stage_events_in_total"] == "counter")
        #expect(kinds["hookpipe_backlog_events"] == "gauge")
    }

    @Test("without a chain only the store's gauges are exported; a failed query leaves them as they were")
    func noChain() {
        let metrics = PrometheusMetrics()
        let collector = ChainCollector(factory: metrics.factory)
        collector.collect(lastSequence: 5, pendingDeadLetters: 1, chain: nil)
        collector.collect(lastSequence: nil, pendingDeadLetters: nil, chain: nil)
        let values = series(metrics)
        #expect(values == ["hookpipe_store_last_seq": "5.0", "hookpipe_dead_letters_pending": "1.0"])
    }
}
