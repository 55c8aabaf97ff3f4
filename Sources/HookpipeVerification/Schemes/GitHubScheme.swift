public import struct Foundation.Date

/// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
///
/// There is no signed timestamp. The delivery id `X-GitHub-Delivery` is not
/// signed either; it is reported as ``Verification/messageID`` (and is the
/// default dedupe key) because GitHub keeps it across redeliveries.
public struct GitHubScheme: SignatureScheme {
    /// Header carrying the signature.
    public static let signatureHeader = "X-Hub-Signature-256"
    /// Header carrying GitHub's delivery id.
    public static let deliveryHeader = "X-GitHub-Delivery"

    private let digest: HeaderDigest

    /// A scheme checking against `secrets` (newest first).
    public init(secrets: [Secret]) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.github.rawValue)
        digest = HeaderDigest(signatureHeader: Self.signatureHeader, prefix: "sha256=", encoding: .hex,
                              timestampHeader: nil, window: nil, keys: KeyRing(algorithm: .sha256, secrets: secrets))
    }

    /// `github`.
    public var name: String { SchemeKind.github.rawValue }
    /// `.messageID`: the `X-GitHub-Delivery` id.
    public var defaultDedupeKey: DedupeKeyRule { .messageID }

    /// Checks `X-Hub-Signature-256` against every secret.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        digest.verify(request, now: now).map { match in
            Verification(scheme: name, signedFields: digest.signedFields, bodySigned: true,
                         messageID: SignatureHeader.optional(Self.deliveryHeader, in: request.headers),
                         secretIndex: match.secretIndex)
        }
    }

    /// The signature header and a fresh delivery id, as GitHub sends them.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        var headers = digest.headers(for: body, now: now)
        headers.append((Self.deliveryHeader, FreshIdentifier.uuid()))
        return SignedRequest(headers: headers, query: query, body: body)
    }
}
