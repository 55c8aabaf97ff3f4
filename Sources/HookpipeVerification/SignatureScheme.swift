public import struct Foundation.Date

/// One provider's way of signing a webhook: checks a request and, for
/// `hookpipe sign`, produces a correctly signed one.
///
/// Implementations hold their keys (derived from the configured secrets at
/// init) and are immutable, so one instance is shared by every connection.
public protocol SignatureScheme: Sendable {
    /// The scheme's name as written in `pipeline.conf` (`stripe`, `github`, …).
    var name: String { get }

    /// Where the deduplication key comes from when the source does not say.
    var defaultDedupeKey: DedupeKeyRule { get }

    /// Checks `request` against every configured secret (rotation) at time `now`.
    ///
    /// Never throws and never traps on malformed input: every problem is a
    /// ``VerificationFailure``, which the receiver answers with 401.
    func verify(_ request: WebhookRequest, now: Date) -> Result<Verification, VerificationFailure>

    /// Signs `body` (and, for schemes that sign them, `query` parameters) with
    /// the first configured secret, as the provider would at time `now`.
    func sign(body: [UInt8], query: [(name: String, value: String)], now: Date) -> SignedRequest

    /// How far a signed timestamp may be from the receiver's clock, in the past
    /// or the future; `nil` when the scheme signs no timestamp.
    var tolerance: Duration? { get }
}

extension SignatureScheme {
    /// No signed timestamp, hence no tolerance.
    public var tolerance: Duration? { nil }
}

/// What a successful verification proved; it goes into the event envelope as `verified`.
public struct Verification: Sendable, Equatable {
    /// The scheme that verified the request.
    public var scheme: String
    /// The names of the fields covered by the signature, e.g. `["body", "timestamp"]`
    /// or, for MercadoPago, `["data.id", "x-request-id", "ts"]`.
    public var signedFields: [String]
    /// Whether the raw body was covered by the signature. False for MercadoPago and `none`.
    public var bodySigned: Bool
    /// The signed timestamp, if the scheme has one.
    public var timestamp: Date?
    /// The sender's own delivery id when the scheme carries one in its headers
    /// (`webhook-id`/`svix-id`, `X-GitHub-Delivery`, …); used by ``DedupeKeyRule/messageID``.
    public var messageID: String?
    /// Index of the configured secret that matched (0 = first); lets operators see
    /// when an old secret is still in use during rotation. Never the secret itself.
    public var secretIndex: Int?

    /// Creates a verification result; schemes fill in what they proved.
    public init(scheme: String, signedFields: [String], bodySigned: Bool, timestamp: Date? = nil, messageID: String? = nil, secretIndex: Int? = nil) {
        self.scheme = scheme
        self.signedFields = signedFields
        self.bodySigned = bodySigned
        self.timestamp = timestamp
        self.messageID = messageID
        self.secretIndex = secretIndex
    }
}

/// A refused verification. The `code` is stable (used in logs and metrics);
/// `message` is for humans and never contains a secret or a signature.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier of the kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as written in logs and metrics, e.g. `signature_mismatch`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code as written in logs and metrics.
        public var description: String { rawValue }

        /// A required header (signature, timestamp, id) is absent.
        public static let missingHeader = Code("missing_header")
        /// A header is present but cannot be parsed (`ts=abc`, bad hex/base64, no `v1`).
        public static let malformedHeader = Code("malformed_header")
        /// The signature is well-formed but matches none of the secrets.
        public static let signatureMismatch = Code("signature_mismatch")
        /// The signed timestamp is older than the tolerance allows.
        public static let timestampTooOld = Code("timestamp_too_old")
        /// The signed timestamp is further in the future than the tolerance allows.
        public static let timestampInFuture = Code("timestamp_in_future")
        /// The remote address is not on the source's allow-list.
        public static let addressNotAllowed = Code("address_not_allowed")
    }

    /// What went wrong.
    public var code: Code
    /// Human-readable detail; never a secret or a signature.
    public var message: String

    /// Creates a failure with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `<code>: <message>`.
    public var description: String { "\(code): \(message)" }
}

/// Where an event's deduplication key is read from.
public enum DedupeKeyRule: Sendable, Equatable, CustomStringConvertible {
    /// The value of a request header (e.g. `X-GitHub-Delivery`).
    case header(String)
    /// A string or number in the JSON body at an RFC 6901 pointer (e.g. `/id`).
    case jsonPointer(String)
    /// A query parameter (e.g. `data.id`).
    case query(String)
    /// The delivery id the scheme reported in ``Verification/messageID``.
    case messageID
    /// The SHA-256 of the raw body: identical retries collapse, nothing else does.
    case bodyHash

    /// The rule as `pipeline.conf` writes it (`header:…`, `json:…`, `query:…`, `message-id`, `body-sha256`).
    public var description: String {
        switch self {
        case .header(let name): "header:\(name)"
        case .jsonPointer(let pointer): "json:\(pointer)"
        case .query(let name): "query:\(name)"
        case .messageID: "message-id"
        case .bodyHash: "body-sha256"
        }
    }
}

/// A request as `hookpipe sign` prints or sends it.
public struct SignedRequest: Sendable {
    /// Headers to send, in order.
    public var headers: [(name: String, value: String)]
    /// Query parameters to append to the URL, in order.
    public var query: [(name: String, value: String)]
    /// The body to send, unchanged from what was signed.
    public var body: [UInt8]

    /// Creates a request to send.
    public init(headers: [(name: String, value: String)], query: [(name: String, value: String)], body: [UInt8]) {
        self.headers = headers
        self.query = query
        self.body = body
    }
}
