public import struct Foundation.Date

/// Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`
/// with `X-Slack-Request-Timestamp: <unix seconds>`, keyed with the signing secret.
///
/// Slack recommends refusing requests more than five minutes from the clock.
/// The default dedupe key is the Events API's `/event_id`.
public struct SlackScheme: SignatureScheme {
    /// Header carrying the signature.
    public static let signatureHeader = "X-Slack-Signature"
    /// Header carrying the signed timestamp.
    public static let timestampHeader = "X-Slack-Request-Timestamp"
    /// Slack's documented five minutes.
    public static let defaultTolerance: Duration = .seconds(300)

    private static let version = Array("v0:".utf8)
    private static let colon = Array(":".utf8)
    private let keys: KeyRing
    private let window: TimestampWindow

    /// A scheme checking against the signing secrets `secrets` (newest first).
    public init(secrets: [Secret], tolerance: Duration = SlackScheme.defaultTolerance) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.slack.rawValue)
        try SchemeSetupError.validateTolerance(tolerance, scheme: SchemeKind.slack.rawValue)
        keys = KeyRing(algorithm: .sha256, secrets: secrets)
        window = TimestampWindow(tolerance: tolerance)
    }

    /// `slack`.
    public var name: String { SchemeKind.slack.rawValue }
    /// `.jsonPointer("/event_id")`: the Events API id, the same on retries.
    public var defaultDedupeKey: DedupeKeyRule { .jsonPointer("/event_id") }
    /// The accepted distance between the timestamp and the clock.
    public var tolerance: Duration? { window.tolerance }

    /// Checks `X-Slack-Signature`: the signature first, then the timestamp.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        let received: [UInt8]
        switch SignatureHeader.required(Self.signatureHeader, in: request.headers)
            .flatMap({ SignatureHeader.prefixedDigest($0, prefix: "v0=", encoding: .hex, algorithm: .sha256,
                                                      header: Self.signatureHeader) }) {
        case .success(let digest): received = digest
        case .failure(let failure): return .failure(failure)
        }
        let timestamp: SignedTimestamp
        switch SignatureHeader.required(Self.timestampHeader, in: request.headers) {
        case .failure(let failure): return .failure(failure)
        case .success(let text):
            guard let parsed = SignedTimestamp(seconds: text) else {
                return .failure(VerificationFailure(.malformedHeader, "\(Self.timestampHeader) is not Unix seconds"))
            }
            timestamp = parsed
        }

        let parts = [Self.version, Array(timestamp.text.utf8), Self.colon, request.body]
        guard let index = keys.firstMatch(parts: parts, candidates: [received]) else {
            return .failure(VerificationFailure(.signatureMismatch, "\(Self.signatureHeader) matches none of the configured secrets"))
        }
        if let failure = window.check(timestamp, now: now, header: Self.timestampHeader) {
            return .failure(failure)
        }
        return .success(Verification(scheme: name, signedFields: ["timestamp", "body"], bodySigned: true,
                                     timestamp: timestamp.date, secretIndex: index))
    }

    /// The timestamp and signature headers for `body` at `now`, with the first secret.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        let ts = UnixTime.seconds(now)
        let signature = Hex.encode(keys.signing.code(Self.version, Array(ts.utf8), Self.colon, body))
        return SignedRequest(headers: [(Self.timestampHeader, ts), (Self.signatureHeader, "v0=\(signature)")],
                             query: query, body: body)
    }
}
