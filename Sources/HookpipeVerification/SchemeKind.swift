/// The verification schemes hookpipe knows, by their `pipeline.conf` names.
public enum SchemeKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case mercadopago
    case stripe
    case standardWebhooks = "standard-webhooks"
    case github
    case shopify
    case slack
    case meta
    case tiendanube
    case hmac
    case none

    /// The name as written in `pipeline.conf`.
    public var description: String { rawValue }
}

/// Settings of the generic `hmac` scheme.
public struct GenericHMACSettings: Sendable, Equatable {
    /// The hash function used with HMAC.
    public enum Algorithm: String, Sendable, CaseIterable { case sha1, sha256, sha512 }
    /// How the digest is written in the header.
    public enum Encoding: String, Sendable, CaseIterable { case hex, base64 }

    /// Header that carries the signature.
    public var header: String
    /// The hash function; default SHA-256.
    public var algorithm: Algorithm
    /// Hex or base64; default hex.
    public var encoding: Encoding
    /// Text before the encoded digest in the header, e.g. `sha256=`. Empty for none.
    public var prefix: String
    /// When set, this header carries a Unix timestamp (seconds) that is signed
    /// as `<timestamp>.<raw body>` and checked against the tolerance.
    public var timestampHeader: String?

    /// Settings with SHA-256, hex, no prefix and no timestamp unless given.
    public init(header: String, algorithm: Algorithm = .sha256, encoding: Encoding = .hex, prefix: String = "", timestampHeader: String? = nil) {
        self.header = header
        self.algorithm = algorithm
        self.encoding = encoding
        self.prefix = prefix
        self.timestampHeader = timestampHeader
    }
}

/// A configured secret. Its description never shows the value.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret exactly as configured (for Stripe the whole `whsec_…` string).
    public let value: String

    /// Wraps a secret's value.
    public init(_ value: String) { self.value = value }

    /// Always `<secret redacted>`.
    public var description: String { "<secret redacted>" }
    /// Always `<secret redacted>`.
    public var debugDescription: String { description }
    /// No children, so `dump()` and reflection cannot print the value either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
