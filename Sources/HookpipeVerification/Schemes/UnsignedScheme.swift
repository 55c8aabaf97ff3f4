public import struct Foundation.Date

/// Scheme `none`, for senders that do not sign (Mercado Libre): every request
/// verifies, with nothing signed. The receiver requires an IP allow-list
/// (``AddressAllowList``) for sources using it.
public struct UnsignedScheme: SignatureScheme {
    /// The only instance needed; it holds nothing.
    public init() {}

    /// `none`.
    public var name: String { SchemeKind.none.rawValue }
    /// `.bodyHash`: there is no trusted id to go by.
    public var defaultDedupeKey: DedupeKeyRule { .bodyHash }

    /// Always succeeds, with `bodySigned = false` and no signed fields.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        .success(Verification(scheme: name, signedFields: [], bodySigned: false))
    }

    /// The request unchanged: nothing to sign.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        SignedRequest(headers: [], query: query, body: body)
    }
}
