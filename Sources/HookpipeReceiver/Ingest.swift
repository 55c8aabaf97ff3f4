public import CoreMetrics
public import HookpipeStore
public import HookpipeTelemetry
public import HookpipeVerification
public import Foundation
import HookpipeJSON

/// The receiver's decisions, free of any I/O: route, check the address,
/// verify the signature, validate the JSON, pick the dedupe key and build
/// the event. The HTTP layer carries out the result.
public struct Ingest: Sendable {
    /// What to do with a request.
    public enum Decision: Sendable {
        /// Answer now; nothing is stored.
        case respond(WebhookResponse, RequestSummary)
        /// Store the event durably, then answer with the store's outcome.
        case store(IncomingEvent, RequestSummary, Acknowledgement)
    }

    /// How a stored (or duplicate) event is acknowledged.
    public enum Acknowledgement: Sendable {
        /// `{"status":"accepted"|"duplicate","seq":…,"id":…}`.
        case json
        /// 200 with an empty body: what Slack expects for a slash command or
        /// an interaction (a body would be shown to the user as a message).
        case empty
    }

    /// What the request log line and metrics say about a request.
    public struct RequestSummary: Sendable {
        public var source: String?
        public var eventID: String?
        /// The client's address when a trusted proxy forwarded the request
        /// (the peer is then the proxy); `nil` otherwise.
        public var client: String?
        /// Why a request was refused, for the log; never secret material.
        public var reason: String?
        /// The matched source's metrics; `nil` before routing.
        public var metrics: RequestMetrics?
    }

    private let sourcesByPath: [String: (source: SourceRuntime, metrics: RequestMetrics)]
    private let trustedProxies: TrustedProxies?
    private let now: @Sendable () -> Date
    /// Metrics for requests that matched no source (`source=""`).
    public let unroutedMetrics: RequestMetrics

    /// - Parameters:
    ///   - trustedProxies: proxies whose `X-Forwarded-For` names the client
    ///     that `allow_ips` checks; `nil`: the peer is the client, always.
    ///   - now: the clock used for timestamp tolerance (tests pass a fixed one).
    ///   - metricsFactory: where each source's request metrics are created, once.
    ///   - activity: also counts each source's requests per minute (the console's chart); kept across reloads.
    public init(sources: [SourceRuntime], trustedProxies: TrustedProxies? = nil, now: @escaping @Sendable () -> Date = Date.init,
                metricsFactory: any MetricsFactory = MetricsSystem.factory, activity: RequestActivity? = nil) {
        self.sourcesByPath = Dictionary(
            sources.map { ($0.path, ($0, RequestMetrics(source: $0.name, factory: metricsFactory, activity: activity))) },
            uniquingKeysWith: { first, _ in first })
        self.trustedProxies = trustedProxies
        self.now = now
        self.unroutedMetrics = RequestMetrics.unrouted(factory: metricsFactory, activity: activity)
    }

    public func decide(_ request: ReceivedRequest) -> Decision {
        guard let (source, metrics) = sourcesByPath[String(request.path)] else {
            return .respond(.error(404, "unknown_path", "no source is configured for this path"),
                            RequestSummary(reason: "no source at \(request.path.prefix(200))", metrics: unroutedMetrics))
        }
        var summary = RequestSummary(source: source.name, metrics: metrics)
        guard request.method == "POST" else {
            summary.reason = "method \(request.method.prefix(20))"
            return .respond(.error(405, "method_not_allowed", "webhooks are received with POST", headers: [("Allow", "POST")]), summary)
        }
        let client = trustedProxies?.client(peer: request.remoteAddress, headers: request.headers) ?? request.remoteAddress
        if client != request.remoteAddress { summary.client = client }
        if let allowList = source.allowList, !allowList.allows(client ?? "") {
            summary.reason = "address \(client ?? "unknown") is not on the allow-list"
            return .respond(.error(403, VerificationFailure.Code.addressNotAllowed.rawValue, "this address may not post to this source"), summary)
        }
        let query = request.query
        let verification: Verification
        switch source.scheme.verify(WebhookRequest(headers: request.headers, query: query, body: request.body), now: now()) {
        case .success(let verified):
            verification = verified
        case .failure(let failure):
            summary.reason = failure.message
            return .respond(.error(401, failure.code.rawValue, failure.message), summary)
        }
        guard !request.body.isEmpty else {
            summary.reason = "empty body"
            return .respond(.error(400, "empty_body", "the body is empty; a JSON object was expected"), summary)
        }
        // The event's JSON: the body itself, or for Slack's form-encoded
        // deliveries (verified above on their raw bytes) the JSON they carry.
        var body = request.body
        var acknowledgement = Acknowledgement.json
        if verification.scheme == SchemeKind.slack.rawValue, SlackForm.isForm(contentType: request.headers["content-type"]) {
            guard let json = SlackForm.json(from: request.body) else {
                summary.reason = "malformed form body"
                return .respond(.error(400, "invalid_form", "the body is not well-formed application/x-www-form-urlencoded UTF-8 text"),
                                summary)
            }
            body = json
            acknowledgement = .empty
        }
        let document: JSONDocument
        switch JSONDocument.parse(body) {
        case .success(let parsed):
            document = parsed
        case .failure(let error):
            summary.reason = "invalid JSON: \(error)"
            return .respond(.invalidJSON(error), summary)
        }
        if verification.scheme == SchemeKind.slack.rawValue, document.scalarText(at: "/type") == "url_verification",
           let challenge = document.scalarText(at: "/challenge") {
            summary.reason = "slack url_verification"
            return .respond(.challenge(challenge), summary)
        }
        let key = source.dedupeKey.key(headers: request.headers, query: query, messageID: verification.messageID,
                                       body: body) { document.scalarText(at: $0) }
        summary.eventID = key
        let metadata = Self.metadata(id: key, source: source, request: request, query: query, verification: verification)
        return .store(
            IncomingEvent(source: source.name, dedupeKey: key, dedupeWindow: source.dedupeWindow,
                          receivedAtMicros: request.receivedAtMicros, metadata: metadata, payload: body),
            summary, acknowledgement)
    }

    /// Headers never copied into the envelope: credentials and signatures.
    /// `lowercasedName` must be ASCII lower case (HTTP header names are ASCII).
    static func isRedacted(_ lowercasedName: String) -> Bool {
        var name = lowercasedName
        return name.withUTF8 { name in
            equals(name, "authorization") || equals(name, "proxy-authorization") || equals(name, "cookie")
                || contains(name, "signature") || contains(name, "hmac") || contains(name, "token")
        }
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard haystack.count >= count else { return false }
        return needle.withUTF8Buffer { needle in
            for start in 0...(haystack.count - count) where haystack[start] == needle[0] {
                if UnsafeBufferPointer(rebasing: haystack[start..<(start + count)]).elementsEqual(needle) { return true }
            }
            return false
        }
    }

    /// The envelope's metadata: id, source, received_at, verified, headers, query.
    static func metadata(id: String, source: SourceRuntime, request: ReceivedRequest, query: [(name: String, value: String)],
                         verification: Verification) -> [UInt8] {
        var envelope = JSONObjectWriter(capacity: 512)
        envelope.set("id", id)
        envelope.set("source", source.name)
        envelope.set("received_at", RFC3339.format(micros: request.receivedAtMicros))
        var verified = JSONObjectWriter()
        verified.set("scheme", verification.scheme)
        verified.set("body", verification.bodySigned)
        verified.set("fields", verification.signedFields)
        if let timestamp = verification.timestamp {
            verified.set("timestamp", Int64(timestamp.timeIntervalSince1970))
        }
        if let index = verification.secretIndex {
            verified.set("secret_index", Int64(index))
        }
        envelope.set("verified", verified)
        // Repeated headers are joined with ", " (RFC 9110); a request has few
        // headers, so a linear search beats hashing here.
        var merged: [(name: String, value: String)] = []
        for (name, value) in request.headers {
            let lower = name.asciiLowercased
            guard !isRedacted(lower) else { continue }
            if let index = merged.firstIndex(where: { $0.name == lower }) {
                merged[index].value += ", " + value
            } else {
                merged.append((lower, value))
            }
        }
        var headers = JSONObjectWriter(capacity: 256)
        for (name, value) in merged { headers.set(name, value) }
        envelope.set("headers", headers)
        // A repeated query parameter keeps its first place and its last value.
        var parameters: [(name: String, value: String)] = []
        for (rawName, value) in query {
            let name = JSONObjectWriter.key(rawName)
            if let index = parameters.firstIndex(where: { $0.name == name }) {
                parameters[index].value = value
            } else {
                parameters.append((name, value))
            }
        }
        var queryObject = JSONObjectWriter(capacity: 16)
        for (name, value) in parameters { queryObject.set(name, value) }
        envelope.set("query", queryObject)
        return envelope.serialized()
    }
}
