/// Every metric hookpipe exports, in one place: names, label names and
/// histogram buckets. docs/OPERATIONS.md ("Metrics and health") documents
/// each one; keep the two in step.
///
/// Label values are bounded and never secret: source and stage names from
/// `pipeline.conf`, outcome and reason codes from fixed vocabularies.
public enum MetricName {
    /// Counter, labels `source`, `outcome`: requests answered by the public
    /// listener, by the `hook.outcome` of their log line.
    public static let requests = "hookpipe_requests_total"
    /// Counter, label `source`: requests answered `duplicate`.
    public static let duplicates = "hookpipe_duplicates_total"
    /// Counter, labels `source`, `reason`: requests refused with 401, by
    /// the verification failure code.
    public static let signatureFailures = "hookpipe_signature_failures_total"
    /// Histogram (seconds), label `source`: from a request's head arriving
    /// to its `200 accepted`/`200 duplicate` being written, store commit included.
    public static let ackLatency = "hookpipe_ack_latency_seconds"
    /// Histogram (seconds): one successful store transaction (group commit,
    /// fsync included).
    public static let storeCommitLatency = "hookpipe_store_commit_seconds"
    /// Gauge: the highest sequence number stored (sampled at scrape time).
    public static let storeLastSequence = "hookpipe_store_last_seq"
    /// Gauge: the chain's saved checkpoint.
    public static let chainCheckpoint = "hookpipe_chain_checkpoint"
    /// Gauge: events stored and not yet settled by the chain (last seq minus checkpoint).
    public static let backlog = "hookpipe_backlog_events"
    /// Gauge: events fed into the chain and not yet settled.
    public static let chainInFlight = "hookpipe_chain_in_flight"
    /// Counter: events moved to the dead-letter store since the daemon started.
    public static let deadLetters = "hookpipe_dead_letters_total"
    /// Gauge: dead letters in the store, waiting for `hookpipe dlq retry` or
    /// `drop` (sampled at scrape time; unlike the counter, it survives restarts).
    public static let deadLettersPending = "hookpipe_dead_letters_pending"
    /// Counter: stage output lines dropped because they were not JSON objects.
    public static let invalidLines = "hookpipe_chain_invalid_lines_total"
    /// Counter, label `stage`: lines (events) written to the stage.
    public static let stageEventsIn = "hookpipe_stage_events_in_total"
    /// Counter, label `stage`: lines (events) the stage emitted.
    public static let stageEventsOut = "hookpipe_stage_events_out_total"
    /// Counter, label `stage`: restarts of the stage's process.
    public static let stageRestarts = "hookpipe_stage_restarts_total"
    /// Gauge, label `stage`: 1 while the stage is failed (crash-looping), else 0.
    public static let stageFailed = "hookpipe_stage_failed"
    /// Gauge, shared store only: 1 while this node holds the chain lease, else 0.
    public static let chainLeaseHeld = "hookpipe_chain_lease_held"
    /// Gauge, shared store only: the lease's current epoch (+1 per takeover).
    public static let chainLeaseEpoch = "hookpipe_chain_lease_epoch"
    /// Gauge, shared store only: nodes that sent a heartbeat recently.
    public static let clusterNodes = "hookpipe_cluster_nodes"
    /// Gauge, PostgreSQL only: committed events not numbered yet (the sequencer's queue).
    public static let unsequencedEvents = "hookpipe_pg_unsequenced_events"

    /// The histograms recorded as durations, which take ``MetricBuckets/latency``.
    public static let latencyHistograms = [ackLatency, storeCommitLatency]
}

/// Label names.
public enum MetricLabel {
    /// A `[[source]]` name; `""` for requests that matched no source (unknown
    /// path, or refused before routing for oversize headers or body).
    public static let source = "source"
    /// A response's outcome code (`accepted`, `duplicate`, `signature_mismatch`, …).
    public static let outcome = "outcome"
    /// A verification failure code (`missing_header`, `signature_mismatch`, …).
    public static let reason = "reason"
    /// A `[[stage]]` name.
    public static let stage = "stage"
}

/// Histogram bucket boundaries.
public enum MetricBuckets {
    /// Upper bounds for latencies, 50 µs to 10 s in 1-2-5 steps: a durable
    /// ack takes a few hundred microseconds on a fast disk and seconds on a
    /// struggling one, and both ends must be told apart.
    public static let latency: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(200), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(20), .milliseconds(50),
        .milliseconds(100), .milliseconds(200), .milliseconds(500),
        .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]
}
