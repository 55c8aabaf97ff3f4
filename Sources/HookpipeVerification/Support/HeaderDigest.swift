import struct Foundation.Date

/// The shape shared by GitHub, Meta, Shopify, Tiendanube and the generic
/// `hmac` scheme: one header holding `prefix` + the encoded HMAC of the raw
/// body, optionally of `<timestamp>.<raw body>` with the timestamp in a
/// second header.
struct HeaderDigest: Sendable {
    let signatureHeader: String
    let prefix: String
    let encoding: GenericHMACSettings.Encoding
    let timestampHeader: String?
    let window: TimestampWindow?
    let keys: KeyRing

    private static let dot = Array(".".utf8)

    /// What a successful check found.
    struct Match {
        let secretIndex: Int
        let timestamp: SignedTimestamp?
    }

    /// The fields the signature covers, for ``Verification/signedFields``.
    var signedFields: [String] { timestampHeader == nil ? ["body"] : ["timestamp", "body"] }

    func verify(_ request: WebhookRequest, now: Date) -> Result<Match, VerificationFailure> {
        let received: [UInt8]
        switch SignatureHeader.required(signatureHeader, in: request.headers)
            .flatMap({ SignatureHeader.prefixedDigest($0, prefix: prefix, encoding: encoding,
                                                      algorithm: keys.signing.algorithm, header: signatureHeader) }) {
        case .success(let digest): received = digest
        case .failure(let failure): return .failure(failure)
        }

        var timestamp: SignedTimestamp?
        if let timestampHeader {
            switch SignatureHeader.required(timestampHeader, in: request.headers) {
            case .failure(let failure): return .failure(failure)
            case .success(let text):
                guard let parsed = SignedTimestamp(seconds: text) else {
                    return .failure(VerificationFailure(.malformedHeader, "\(timestampHeader) is not a Unix timestamp in seconds"))
                }
                timestamp = parsed
            }
        }

        let parts = timestamp.map { [Array($0.text.utf8), Self.dot, request.body] } ?? [request.body]
        guard let index = keys.firstMatch(parts: parts, candidates: [received]) else {
            return .failure(VerificationFailure(.signatureMismatch, "\(signatureHeader) matches none of the configured secrets"))
        }
        if let timestamp, let window, let timestampHeader,
           let failure = window.check(timestamp, now: now, header: timestampHeader) {
            return .failure(failure)
        }
        return .success(Match(secretIndex: index, timestamp: timestamp))
    }

    /// The signature header (and timestamp header) for `body` at `now`, with the first secret.
    func headers(for body: [UInt8], now: Date) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        var parts = [body]
        if let timestampHeader {
            let text = UnixTime.seconds(now)
            headers.append((timestampHeader, text))
            parts = [Array(text.utf8), Self.dot, body]
        }
        let digest = keys.signing.code(parts: parts)
        let encoded = switch encoding {
        case .hex: Hex.encode(digest)
        case .base64: Base64.encode(digest)
        }
        headers.insert((signatureHeader, prefix + encoded), at: 0)
        return headers
    }
}

/// Unix time as senders write it.
enum UnixTime {
    /// Whole seconds since 1970 as decimal digits (clamped to 0 and to Int64's range).
    static func seconds(_ date: Date) -> String {
        let value = date.timeIntervalSince1970
        guard value.isFinite, value > 0 else { return "0" }
        guard value < 9.2e18 else { return String(Int64.max) }
        return String(Int64(value.rounded(.down)))
    }
}
