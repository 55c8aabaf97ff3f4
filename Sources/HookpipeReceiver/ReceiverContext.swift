import Atomics
import Dispatch
import HookpipeStore
import Logging
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

    /// The one log line per request, accepted or refused. Data goes in
    /// metadata with dotted keys; never a secret or a signature.
    func log(_ response: WebhookResponse, summary: Ingest.RequestSummary, method: String, uri: String, remote: String?, startNanos: UInt64) {
        let level: Logger.Level = switch response.status {
        case 200..<300: .info
        case 500...: .error
        case 401, 403: .warning
        default: .notice
        }
        guard logger.logLevel <= level else { return }
        let micros = (DispatchTime.now().uptimeNanoseconds &- startNanos) / 1_000
        var metadata: Logger.Metadata = [
            "http.status": "\(response.status)",
            "http.method": "\(method.prefix(16))",
            "http.path": "\(uri.split(separator: "?", maxSplits: 1).first?.prefix(200) ?? "")",
            "hook.outcome": "\(response.outcome)",
            "net.peer": "\(remote ?? "unknown")",
            "latency.us": "\(micros)",
        ]
        if let source = summary.source { metadata["hook.source"] = "\(source)" }
        if let id = summary.eventID { metadata["hook.id"] = "\(id.prefix(200))" }
        if let reason = summary.reason { metadata["reason"] = "\(reason)" }
        logger.log(level: level, "request", metadata: metadata)
    }
}

/// A value read by every connection and replaced on reload (the sources, the TLS context).
final class Swappable<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    var current: Value {
        value.withLock { $0 }
    }

    func replace(_ newValue: Value) {
        value.withLock { $0 = newValue }
    }
}
