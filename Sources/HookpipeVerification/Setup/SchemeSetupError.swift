/// A scheme could not be set up from its configuration (a problem for
/// `hookpipe check` and daemon start, never for a request).
///
/// The message names the scheme and, where it matters, the position of a
/// secret in the list; it never contains a secret's value.
public struct SchemeSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier of the kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as written in logs, e.g. `no_secrets`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code as written in logs.
        public var description: String { rawValue }

        /// A scheme that signs was configured without any secret.
        public static let noSecrets = Code("no_secrets")
        /// One of the secrets is the empty string.
        public static let emptySecret = Code("empty_secret")
        /// A Standard Webhooks secret is not base64 (after an optional `whsec_`).
        public static let undecodableSecret = Code("undecodable_secret")
        /// Scheme `hmac` was configured without its settings.
        public static let missingHMACSettings = Code("missing_hmac_settings")
        /// `hmac` settings were given to another scheme.
        public static let unexpectedHMACSettings = Code("unexpected_hmac_settings")
        /// The `hmac` settings cannot work (e.g. an empty header name).
        public static let invalidHMACSettings = Code("invalid_hmac_settings")
        /// The tolerance is zero or negative.
        public static let invalidTolerance = Code("invalid_tolerance")
        /// A tolerance was given to a scheme that signs no timestamp.
        public static let toleranceNotApplicable = Code("tolerance_not_applicable")
    }

    /// What went wrong.
    public var code: Code
    /// The scheme being set up, as written in `pipeline.conf`.
    public var scheme: String
    /// Human-readable detail; never contains a secret.
    public var message: String

    /// Creates an error for `scheme`.
    public init(_ code: Code, scheme: String, _ message: String) {
        self.code = code
        self.scheme = scheme
        self.message = message
    }

    /// `scheme <name>: <message>`.
    public var description: String { "scheme \(scheme): \(message)" }
}

extension SchemeSetupError {
    /// Checks what every signing scheme needs: at least one secret, none empty.
    static func validateSecrets(_ secrets: [Secret], scheme: String) throws(SchemeSetupError) {
        guard !secrets.isEmpty else {
            throw SchemeSetupError(.noSecrets, scheme: scheme, "at least one secret is required")
        }
        if let index = secrets.firstIndex(where: { $0.value.isEmpty }) {
            throw SchemeSetupError(.emptySecret, scheme: scheme, "secret #\(index + 1) is empty")
        }
    }

    /// Checks that a tolerance, if given, is positive.
    static func validateTolerance(_ tolerance: Duration, scheme: String) throws(SchemeSetupError) {
        guard tolerance > .zero else {
            throw SchemeSetupError(.invalidTolerance, scheme: scheme, "tolerance must be positive, got \(tolerance)")
        }
    }
}
