public import struct Foundation.Date

/// MercadoPago: `x-signature: ts=<timestamp>,v1=<hex>` where `v1` is the
/// HMAC-SHA256 of the manifest `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`,
/// each part left out when its value is absent.
///
/// `data.id` is the query parameter of the notification URL, taken with its
/// original casing (as MercadoPago's current SDKs do); the lower-cased id is
/// tried as well, because older documentation told integrators to lower-case
/// alphanumeric ids. `ts` is read as seconds, or as milliseconds when it is
/// 10^11 or more (the documentation says milliseconds, its example shows seconds).
///
/// MercadoPago does not sign the body: ``Verification/bodySigned`` is `false`
/// and ``Verification/signedFields`` lists which of `data.id`, `x-request-id`
/// and `ts` were in the manifest. Consumers should fetch the resource from
/// MercadoPago's API by `data.id` rather than trust the body.
public struct MercadoPagoScheme: SignatureScheme {
    /// Header carrying timestamp and signature.
    public static let signatureHeader = "x-signature"
    /// Header carrying the request id that is part of the manifest.
    public static let requestIDHeader = "x-request-id"
    /// Query parameter carrying the resource id that is part of the manifest.
    public static let dataIDParameter = "data.id"
    /// Five days. MercadoPago documents retries until four days after the first
    /// attempt, but not whether a retry carries a fresh `ts`; a window shorter
    /// than the retry schedule could refuse every late retry. The body is not
    /// signed anyway, so a narrow window protects little. Lower it (e.g. to
    /// five minutes) once deliveries show that retries are re-signed.
    public static let defaultTolerance: Duration = .seconds(5 * 86_400)

    private let keys: KeyRing
    private let window: TimestampWindow

    /// A scheme checking against `secrets` (newest first) with `tolerance` each way.
    public init(secrets: [Secret], tolerance: Duration = MercadoPagoScheme.defaultTolerance) throws(SchemeSetupError) {
        try SchemeSetupError.validateSecrets(secrets, scheme: SchemeKind.mercadopago.rawValue)
        try SchemeSetupError.validateTolerance(tolerance, scheme: SchemeKind.mercadopago.rawValue)
        keys = KeyRing(algorithm: .sha256, secrets: secrets)
        window = TimestampWindow(tolerance: tolerance)
    }

    /// `mercadopago`.
    public var name: String { SchemeKind.mercadopago.rawValue }
    /// `.jsonPointer("/id")`: the notification id in the body.
    public var defaultDedupeKey: DedupeKeyRule { .jsonPointer("/id") }
    /// The accepted distance between `ts` and the clock.
    public var tolerance: Duration? { window.tolerance }

    /// Checks `x-signature` against every secret and both casings of `data.id`,
    /// then the timestamp.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        let header = Self.signatureHeader
        let timestamp: SignedTimestamp
        let candidates: [[UInt8]]
        switch SignatureHeader.timestampedHexDigests(
            header, in: request.headers, timestampKey: "ts", signatureKey: "v1", algorithm: .sha256,
            parse: { SignedTimestamp(secondsOrMilliseconds: $0) }, timestampMeaning: "a Unix timestamp") {
        case .success(let parsed): (timestamp, candidates) = parsed
        case .failure(let failure): return .failure(failure)
        }

        let dataID = Self.nonEmpty(request.queryValue(Self.dataIDParameter))
        let requestID = SignatureHeader.optional(Self.requestIDHeader, in: request.headers)
        var ids: [String?] = [dataID]
        if let dataID, dataID.asciiLowercased != dataID {
            ids.append(dataID.asciiLowercased)
        }
        var matchedIndex: Int?
        for id in ids where matchedIndex == nil {
            let manifest = Self.manifest(dataID: id, requestID: requestID, ts: timestamp.text)
            matchedIndex = keys.firstMatch(parts: [manifest], candidates: candidates)
        }
        guard let index = matchedIndex else {
            return .failure(VerificationFailure(.signatureMismatch, "no v1 signature in \(header) matches a configured secret"))
        }
        if let failure = window.check(timestamp, now: now, header: "\(header) ts") {
            return .failure(failure)
        }
        var signed: [String] = []
        if dataID != nil { signed.append(Self.dataIDParameter) }
        if requestID != nil { signed.append(Self.requestIDHeader) }
        signed.append("ts")
        return .success(Verification(scheme: name, signedFields: signed, bodySigned: false,
                                     timestamp: timestamp.date, secretIndex: index))
    }

    /// `x-signature` (with `ts` in seconds) and a fresh `x-request-id` for the
    /// `data.id` found in `query`, with the first secret. The body and query
    /// are returned unchanged.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        let requestID = FreshIdentifier.uuid()
        let ts = UnixTime.seconds(now)
        let dataID = Self.nonEmpty(query.first { $0.name == Self.dataIDParameter }?.value)
        let v1 = Hex.encode(keys.signing.code(Self.manifest(dataID: dataID, requestID: requestID, ts: ts)))
        return SignedRequest(headers: [(Self.signatureHeader, "ts=\(ts),v1=\(v1)"), (Self.requestIDHeader, requestID)],
                             query: query, body: body)
    }

    /// `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` without the absent parts.
    static func manifest(dataID: String?, requestID: String?, ts: String) -> [UInt8] {
        var text = ""
        if let dataID { text += "id:\(dataID);" }
        if let requestID { text += "request-id:\(requestID);" }
        text += "ts:\(ts);"
        return Array(text.utf8)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = SignatureHeader.trimmed(Substring(value))
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}
