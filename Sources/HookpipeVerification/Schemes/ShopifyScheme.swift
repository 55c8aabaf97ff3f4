public import struct Foundation.Date

/// Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the raw body>`
/// keyed with the app's client secret.
///
/// No timestamp. `X-Shopify-Webhook-Id` (unsigned, stable across retries) is
/// reported as ``Verification/messageID`` and is the default dedupe key.
public struct ShopifyScheme: SignatureScheme {
    /// Header carrying the signature.
    public static let signatureHeader = "X-Shopify-Hmac-Sha256"
    /// Header carrying Shopify's webhook id.
    public static let webhookIDHeader = "X-Shopify-Webhook-Id"

    private let digest: HeaderDigest

    /// A scheme checking against `secrets` (newest first).
    public init(secrets: [Secret]) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.shopify.rawValue)
        digest = HeaderDigest(signatureHeader: Self.signatureHeader, prefix: "", encoding: .base64,
                              timestampHeader: nil, window: nil, keys: KeyRing(algorithm: .sha256, secrets: secrets))
    }

    /// `shopify`.
    public var name: String { SchemeKind.shopify.rawValue }
    /// `.messageID`: the `X-Shopify-Webhook-Id`.
    public var defaultDedupeKey: DedupeKeyRule { .messageID }

    /// Checks `X-Shopify-Hmac-Sha256` against every secret.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        digest.verify(request, now: now).map { match in
            Verification(scheme: name, signedFields: digest.signedFields, bodySigned: true,
                         messageID: SignatureHeader.optional(Self.webhookIDHeader, in: request.headers),
                         secretIndex: match.secretIndex)
        }
    }

    /// The signature header and a fresh webhook id, as Shopify sends them.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        var headers = digest.headers(for: body, now: now)
        headers.append((Self.webhookIDHeader, FreshIdentifier.uuid()))
        return SignedRequest(headers: headers, query: query, body: body)
    }
}
