/// Something in `pipeline.conf` that works but deserves attention.
///
/// `hookpipe check` prints these; the daemon logs them at startup. Like
/// ``ConfigError``, the message names the file and never contains a secret.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The kind of warning.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `inline_secret`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's stable name.
        public var description: String { rawValue }

        /// A secret written as a literal value in the file instead of `env:`, `file:` or `credential:`.
        public static let inlineSecret = Code("inline_secret")
    }

    /// The kind of warning.
    public let code: Code
    /// The full human-readable explanation, starting with the file name.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
