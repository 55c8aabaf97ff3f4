import Atomics
import HookpipeStore
import HookpipeTelemetry
import Logging
import HookpipeSync
import Synchronization

/// What every connection of one listener shares.
struct ReceiverContext: Sendable {
    struct Limits: Sendable {
        var maxBodyBytes: Int
        var maxHeaderBytes: Int
        /// The `Retry-After` value sent with 503.
        var retryAfterSeconds: Int
    }

    /// The sources in force; replaced as a whole on reload. A request keeps
    /// the `Ingest` it started with.
    let ingestBox: Swappable<Ingest>
    var ingest: Ingest { ingestBox.current }
    var store: any EventStore
    var limits: Limits
    var logger: Logger
    /// Requests whose event is being stored and not yet answered; shutdown
    /// waits for them so that every stored event also gets its answer.
    let inFlight = ManagedAtomic<Int>(0)
    /// Where the store's writer hands finished appends back to each event loop.
    let mailboxes = LoopMailboxes()

    /// The one log line per request, accepted or refused, and its metrics
    /// (``RequestCompleted``). Data goes in metadata with dotted keys; never a
    /// secret or a signature.
    func log(_ response: WebhookResponse, summary: Ingest.RequestSummary, method: String, uri: String, remote: String?, startNanos: UInt64) {
        RequestCompleted(status: response.status, outcome: response.outcome, method: method, uri: uri, peer: remote,
                         client: summary.client, source: summary.source, eventID: summary.eventID, reason: summary.reason, startNanos: startNanos)
            .emit(to: logger, metrics: summary.metrics ?? ingest.unroutedMetrics)
    }
}

/// A value read by every connection and replaced on reload (the sources, the TLS context).
final class Swappable<Value: Sendable>: Sendable {
    private let value: Locked<Value>

    init(_ value: Value) {
        self.value = Locked(value)
    }

    var current: Value {
        value.withLock { $0 }
    }

    func replace(_ newValue: Value) {
        value.withLock { $0 = newValue }
    }
}
