import Dispatch
public import Logging

/// A request the public listener answered, accepted or refused: its one log
/// line and its metrics, emitted together. Never carries a secret or a
/// signature.
public struct RequestCompleted {
    /// The HTTP status answered.
    public var status: Int
    /// The response's outcome code (`hook.outcome`, metric label `outcome`).
    public var outcome: String
    /// The request method (logged, at most 16 characters).
    public var method: String
    /// The request target; only its path is logged.
    public var uri: String
    /// The peer's IP address.
    public var peer: String?
    /// The client's address named by a trusted proxy (the peer), if any.
    public var client: String?
    /// The matched `[[source]]`, if any.
    public var source: String?
    /// The dedupe key (the envelope's `id`), once known.
    public var eventID: String?
    /// Why a request was refused, for the log.
    public var reason: String?
    /// `DispatchTime.now().uptimeNanoseconds` when the request head arrived.
    public var startNanos: UInt64

    /// Describes one answered request; ``emit(to:metrics:)`` records it.
    public init(status: Int, outcome: String, method: String, uri: String, peer: String?, client: String? = nil, source: String?,
                eventID: String?, reason: String?, startNanos: UInt64) {
        self.status = status
        self.outcome = outcome
        self.method = method
        self.uri = uri
        self.peer = peer
        self.client = client
        self.source = source
        self.eventID = eventID
        self.reason = reason
        self.startNanos = startNanos
    }

    /// Counts the request in `metrics`, then logs it: 2xx at info, 401/403 at
    /// warning, 5xx at error, other refusals at notice.
    public func emit(to logger: Logger, metrics: RequestMetrics) {
        let elapsed = DispatchTime.now().uptimeNanoseconds &- startNanos
        metrics.record(outcome: outcome, status: status, elapsedNanos: elapsed)
        let level: Logger.Level = switch status {
        case 200..<300: .info
        case 500...: .error
        case 401, 403: .warning
        default: .notice
        }
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "http.status": "\(status)",
            "http.method": "\(method.prefix(16))",
            "http.path": "\(uri.split(separator: "?", maxSplits: 1).first?.prefix(200) ?? "")",
            "hook.outcome": "\(outcome)",
            "net.peer": "\(peer ?? "unknown")",
            "latency.us": "\(elapsed / 1_000)",
        ]
        if let client { metadata["net.client"] = "\(client)" }
        if let source { metadata["hook.source"] = "\(source)" }
        if let eventID { metadata["hook.id"] = "\(eventID.prefix(200))" }
        if let reason { metadata["reason"] = "\(reason)" }
        logger.log(level: level, "request", metadata: metadata)
    }
}
