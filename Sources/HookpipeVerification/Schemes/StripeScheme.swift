public import struct Foundation.Date

/// Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`,
/// each `v1` an HMAC-SHA256 of `<t>.<raw body>`.
///
/// The key is the whole `whsec_…` string as UTF-8 bytes (it is not decoded).
/// Several `v1` entries (Stripe sends one per active secret while a secret is
/// being rolled) verify when any of them matches; `v0` and unknown entries are
/// ignored. Stripe puts the event id in the body, so the default dedupe key is
/// `/id` and ``Verification/messageID`` is `nil`.
public struct StripeScheme: SignatureScheme {
    /// Header carrying timestamp and signatures.
    public static let signatureHeader = "Stripe-Signature"
    /// Stripe's own libraries default to five minutes.
    public static let defaultTolerance: Duration = .seconds(300)

    private static let dot = Array(".".utf8)
    private let keys: KeyRing
    private let window: TimestampWindow

    /// A scheme checking against `secrets` (newest first) with `tolerance` each way.
    public init(secrets: [Secret], tolerance: Duration = StripeScheme.defaultTolerance) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.stripe.rawValue)
        try SchemeSetupError.validateTolerance(tolerance, scheme: SchemeKind.stripe.rawValue)
        keys = KeyRing(algorithm: .sha256, secrets: secrets)
        window = TimestampWindow(tolerance: tolerance)
    }

    /// `stripe`.
    public var name: String { SchemeKind.stripe.rawValue }
    /// `.jsonPointer("/id")`: the event id `evt_…`, the same on every retry.
    public var defaultDedupeKey: DedupeKeyRule { .jsonPointer("/id") }
    /// The accepted distance between `t` and the clock.
    public var tolerance: Duration? { window.tolerance }

    /// Checks `Stripe-Signature`: the signatures first, then the timestamp.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        let header = Self.signatureHeader
        let timestamp: SignedTimestamp
        let candidates: [[UInt8]]
        switch SignatureHeader.timestampedHexDigests(
            header, in: request.headers, timestampKey: "t", signatureKey: "v1", algorithm: .sha256,
            parse: { SignedTimestamp(seconds: $0) }, timestampMeaning: "Unix seconds") {
        case .success(let parsed): (timestamp, candidates) = parsed
        case .failure(let failure): return .failure(failure)
        }

        let parts = [Array(timestamp.text.utf8), Self.dot, request.body]
        guard let index = keys.firstMatch(parts: parts, candidates: candidates) else {
            return .failure(VerificationFailure(.signatureMismatch, "no v1 signature in \(header) matches a configured secret"))
        }
        if let failure = window.check(timestamp, now: now, header: "\(header) t") {
            return .failure(failure)
        }
        return .success(Verification(scheme: name, signedFields: ["timestamp", "body"], bodySigned: true,
                                     timestamp: timestamp.date, secretIndex: index))
    }

    /// `Stripe-Signature: t=…,v1=…` for `body` at `now`, with the first secret.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        let t = UnixTime.seconds(now)
        let v1 = Hex.encode(keys.signing.code(Array(t.utf8), Self.dot, body))
        return SignedRequest(headers: [(Self.signatureHeader, "t=\(t),v1=\(v1)")], query: query, body: body)
    }
}
