public import struct Foundation.Date

/// The generic `hmac` scheme for senders with a home-grown signature: one
/// header holding an optional prefix and the hex or base64 HMAC (SHA-1,
/// SHA-256 or SHA-512) of the raw body — or, when a timestamp header is
/// configured, of `<timestamp>.<raw body>`, with the timestamp checked against
/// the tolerance.
public struct GenericHMACScheme: SignatureScheme {
    /// The tolerance used when a timestamp header is configured and none is given.
    public static let defaultTolerance: Duration = .seconds(300)

    /// The settings this scheme was made with.
    public let settings: GenericHMACSettings
    private let digest: HeaderDigest

    /// A scheme checking against `secrets` (newest first) as `settings` describe.
    ///
    /// `tolerance` only applies with a timestamp header; giving one without is a
    /// setup error, as are empty header names.
    public init(settings: GenericHMACSettings, secrets: [Secret], tolerance: Duration? = nil) throws(SchemeSetupError) {
        let scheme = SchemeKind.hmac.rawValue
        try SchemeSetupError.validateSecrets(secrets, scheme: scheme)
        guard Self.isHeaderName(settings.header) else {
            throw SchemeSetupError(.invalidHMACSettings, scheme: scheme, "the signature header name is empty or not a valid header name")
        }
        var window: TimestampWindow?
        if let timestampHeader = settings.timestampHeader {
            guard Self.isHeaderName(timestampHeader) else {
                throw SchemeSetupError(.invalidHMACSettings, scheme: scheme, "the timestamp header name is empty or not a valid header name")
            }
            let effective = tolerance ?? Self.defaultTolerance
            try SchemeSetupError.validateTolerance(effective, scheme: scheme)
            window = TimestampWindow(tolerance: effective)
        } else if tolerance != nil {
            throw SchemeSetupError(.toleranceNotApplicable, scheme: scheme, "a tolerance needs a timestamp header")
        }
        let algorithm: DigestAlgorithm = switch settings.algorithm {
        case .sha1: .sha1
        case .sha256: .sha256
        case .sha512: .sha512
        }
        self.settings = settings
        digest = HeaderDigest(signatureHeader: settings.header, prefix: settings.prefix, encoding: settings.encoding,
                              timestampHeader: settings.timestampHeader, window: window,
                              keys: KeyRing(algorithm: algorithm, secrets: secrets))
    }

    /// `hmac`.
    public var name: String { SchemeKind.hmac.rawValue }
    /// `.bodyHash`: a generic sender has no known delivery id.
    public var defaultDedupeKey: DedupeKeyRule { .bodyHash }
    /// The tolerance when a timestamp header is configured, else `nil`.
    public var tolerance: Duration? { digest.window?.tolerance }

    /// Checks the configured header against every secret, then the timestamp if any.
    public func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure> {
        digest.verify(request, now: now).map { match in
            Verification(scheme: name, signedFields: digest.signedFields, bodySigned: true,
                         timestamp: match.timestamp?.date, secretIndex: match.secretIndex)
        }
    }

    /// The configured header(s) for `body` at `now`, with the first secret.
    public func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest {
        SignedRequest(headers: digest.headers(for: body, now: now), query: query, body: body)
    }

    /// RFC 9110 token characters only, at least one.
    private static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { char in
            switch char {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(char)
            }
        }
    }
}
