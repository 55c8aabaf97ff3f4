public import struct Foundation.Date

/// Standard Webhooks (and Svix, its origin): headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature` — or the same with the `svix-`
/// prefix. The signature header is a space-separated list of `v1,<base64>`
/// entries, each an HMAC-SHA256 of `<id>.<timestamp>.<raw body>`; entries of
/// other versions (such as the asymmetric `v1a`) are ignored.
///
/// The key is the base64 decoding of the secret after `whsec_` (a secret
/// without that prefix is decoded whole). The message id is reported as
/// ``Verification/messageID`` and is the default dedupe key: it stays the same
/// on retries.
public struct StandardWebhooksScheme: SignatureScheme {
    /// The specification's five minutes.
    public static let defaultTolerance: Duration = .seconds(300)

    private static let dot = Array(".".utf8)
    private let keys: KeyRing
    private let window: TimestampWindow

    /// A scheme checking against `secrets` (newest first); each must be base64,
    /// optionally after `whsec_`.
    public init(secrets: [Secret], tolerance: Duration = StandardWebhooksScheme.defaultTolerance) throws(SchemeSetupError) {
        let scheme = SchemeKind.standardWebhooks.rawValue
        try SchemeSetupError.validateSecrets(secrets, scheme: scheme)
        try SchemeSetupError.validateTolerance(tolerance, scheme: scheme)
        var decoded: [[UInt8]] = []
        for (index, secret) in secrets.enumerated() {
            let value = Substring(secret.value)
            let encoded = value.hasPrefix("whsec_") ? value.dropFirst("whsec_".count) : value
            guard let key = Base64.decode(encoded) else {
                throw SchemeSetupError(.undecodableSecret, scheme: scheme,
                                       "secret #\(index + 1) is not base64 (after an optional whsec_ prefix)")
            }
            decoded.append(key)
        }
        keys = KeyRing(algorithm: .sha256, keys: decoded)
        window = TimestampWindow(tolerance: tolerance)
    }

    /// `standard-webhooks`.
    public var name: String { SchemeKind.standardWebhooks.rawValue }
    /// `.messageID`: the `webhook-id`.
    public var defaultDedupeKey: DedupeKeyRule { .messageID }
    /// The accepted distance between `webhook-timestamp` and the clock.
    public var tolerance: Duration? { window.tolerance }

    /// Checks the signature list: any `v1` entry under any secret, then the timestamp.
    ///
    /// The `webhook-` headers are used when `webhook-signature` is present,
    /// otherwise the `svix-` ones; the three headers are never mixed.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        let prefix = request.headers["webhook-signature"] != nil ? "webhook" : "svix"
        let idHeader = "\(prefix)-id", timestampHeader = "\(prefix)-timestamp", signatureHeader = "\(prefix)-signature"

        let id: Substring
        switch SignatureHeader.required(idHeader, in: request.headers) {
        case .success(let value): id = value
        case .failure(let failure): return .failure(failure)
        }
        let timestamp: SignedTimestamp
        switch SignatureHeader.required(timestampHeader, in: request.headers) {
        case .failure(let failure): return .failure(failure)
        case .success(let text):
            guard let parsed = SignedTimestamp(seconds: text) else {
                return .failure(VerificationFailure(.malformedHeader, "\(timestampHeader) is not Unix seconds"))
            }
            timestamp = parsed
        }
        let candidates: [[UInt8]]
        switch SignatureHeader.required(signatureHeader, in: request.headers)
            .flatMap({ Self.signatures($0, header: signatureHeader) }) {
        case .success(let value): candidates = value
        case .failure(let failure): return .failure(failure)
        }

        let parts = [Array(id.utf8), Self.dot, Array(timestamp.text.utf8), Self.dot, request.body]
        guard let index = keys.firstMatch(parts: parts, candidates: candidates) else {
            return .failure(VerificationFailure(.signatureMismatch, "no v1 signature in \(signatureHeader) matches a configured secret"))
        }
        if let failure = window.check(timestamp, now: now, header: timestampHeader) {
            return .failure(failure)
        }
        return .success(Verification(scheme: name, signedFields: ["id", "timestamp", "body"], bodySigned: true,
                                     timestamp: timestamp.date, messageID: String(id), secretIndex: index))
    }

    /// `webhook-id` (a fresh `msg_…`), `webhook-timestamp` and `webhook-signature`
    /// for `body` at `now`, with the first secret.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        let id = "msg_" + FreshIdentifier.uuid().filter { $0 != "-" }
        let ts = UnixTime.seconds(now)
        let signature = Base64.encode(keys.signing.code(Array(id.utf8), Self.dot, Array(ts.utf8), Self.dot, body))
        return SignedRequest(headers: [("webhook-id", id), ("webhook-timestamp", ts), ("webhook-signature", "v1,\(signature)")],
                             query: query, body: body)
    }

    /// The decoded `v1` signatures of a space-separated signature list.
    ///
    /// Entries must look like `<version>,<signature>`; `v1` signatures must be
    /// base64 of 32 bytes. No `v1` entry at all is malformed.
    private static func signatures(_ value: Substring, header: String) -> Result<[[UInt8]], VerificationFailure> {
        var found: [[UInt8]] = []
        for entry in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let comma = entry.firstIndex(of: ","), comma != entry.startIndex else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has an entry that is not '<version>,<signature>'"))
            }
            guard entry[..<comma] == "v1" else { continue }
            guard let digest = Base64.decode(entry[entry.index(after: comma)...]), digest.count == DigestAlgorithm.sha256.byteCount else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has a v1 entry that is not a base64 SHA-256 digest"))
            }
            found.append(digest)
        }
        guard !found.isEmpty else {
            return .failure(VerificationFailure(.malformedHeader, "\(header) has no v1 entry"))
        }
        return .success(found)
    }
}
