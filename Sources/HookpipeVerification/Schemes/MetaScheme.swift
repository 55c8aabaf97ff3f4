public import struct Foundation.Date

/// Meta (WhatsApp Cloud API, Instagram, Messenger):
/// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed with the app secret.
///
/// No timestamp and no delivery id, so the default dedupe key is the body hash.
public struct MetaScheme: SignatureScheme {
    /// Header carrying the signature.
    public static let signatureHeader = "X-Hub-Signature-256"

    private let digest: HeaderDigest

    /// A scheme checking against the app secrets `secrets` (newest first).
    public init(secrets: [Secret]) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.meta.rawValue)
        digest = HeaderDigest(signatureHeader: Self.signatureHeader, prefix: "sha256=", encoding: .hex,
                              timestampHeader: nil, window: nil, keys: KeyRing(algorithm: .sha256, secrets: secrets))
    }

    /// `meta`.
    public var name: String { SchemeKind.meta.rawValue }
    /// `.bodyHash`: Meta sends no delivery id.
    public var defaultDedupeKey: DedupeKeyRule { .bodyHash }

    /// Checks `X-Hub-Signature-256` against every secret.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        digest.verify(request, now: now).map { match in
            Verification(scheme: name, signedFields: digest.signedFields, bodySigned: true, secretIndex: match.secretIndex)
        }
    }

    /// The signature header, as Meta sends it.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        SignedRequest(headers: digest.headers(for: body, now: now), query: query, body: body)
    }
}
