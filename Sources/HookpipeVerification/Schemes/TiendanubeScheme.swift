public import struct Foundation.Date

/// Tiendanube / Nuvemshop: `x-linkedstore-hmac-sha256: <hex HMAC-SHA256 of the raw body>`
/// keyed with the app secret.
///
/// The official documentation's PHP example compares the header with
/// `hash_hmac('sha256', $data, APP_SECRET)`, which is lower-case hex; hex in
/// either case is accepted. No timestamp and no delivery id, so the default
/// dedupe key is the body hash.
public struct TiendanubeScheme: SignatureScheme {
    /// Header carrying the signature.
    public static let signatureHeader = "X-Linkedstore-HMAC-SHA256"

    private let digest: HeaderDigest

    /// A scheme checking against the app secrets `secrets` (newest first).
    public init(secrets: [Secret]) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.tiendanube.rawValue)
        digest = HeaderDigest(signatureHeader: Self.signatureHeader, prefix: "", encoding: .hex,
                              timestampHeader: nil, window: nil, keys: KeyRing(algorithm: .sha256, secrets: secrets))
    }

    /// `tiendanube`.
    public var name: String { SchemeKind.tiendanube.rawValue }
    /// `.bodyHash`: Tiendanube sends no delivery id.
    public var defaultDedupeKey: DedupeKeyRule { .bodyHash }

    /// Checks `x-linkedstore-hmac-sha256` against every secret.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        digest.verify(request, now: now).map { match in
            Verification(scheme: name, signedFields: digest.signedFields, bodySigned: true, secretIndex: match.secretIndex)
        }
    }

    /// The signature header, as Tiendanube sends it.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        SignedRequest(headers: digest.headers(for: body, now: now), query: query, body: body)
    }
}
