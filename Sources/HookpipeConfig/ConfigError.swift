/// Why `pipeline.conf` could not be loaded, or why a secret could not be resolved.
///
/// `message` is for people: it names the file, then the line and column for a
/// TOML syntax error or the key for anything else, and says what was expected
/// and what was found. It never contains a secret's value. `code` is stable and
/// meant for programs and tests; new codes may be added.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `unknown_key`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's stable name.
        public var description: String { rawValue }

        /// The configuration file cannot be read (missing, unreadable, not UTF-8, too large).
        public static let unreadableFile = Code("unreadable_file")
        /// The file is not valid TOML; the message has the line and column.
        public static let syntax = Code("syntax")
        /// A key that hookpipe does not know, most often a typo.
        public static let unknownKey = Code("unknown_key")
        /// A value of the wrong TOML type, e.g. a string where an integer belongs.
        public static let wrongType = Code("wrong_type")
        /// A value of the right type that is not allowed (out of range, bad syntax, unknown name).
        public static let invalidValue = Code("invalid_value")
        /// A required key or table is absent.
        public static let missingKey = Code("missing_key")
        /// Two sources share a name or a path, or two stages a name.
        public static let duplicate = Code("duplicate")
        /// Keys that are fine alone but contradict each other (e.g. `[source.hmac]` without scheme `hmac`,
        /// a stage `timeout` not longer than `chain.flush_after`).
        public static let conflict = Code("conflict")
        /// A secret reference cannot be resolved (variable unset, file unreadable, empty value).
        public static let secretUnavailable = Code("secret_unavailable")
    }

    /// The kind of problem.
    public let code: Code
    /// The full human-readable explanation, starting with the file name.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The same error with `context` put in front of the message.
    func prefixed(_ context: String) -> ConfigError {
        ConfigError(code, "\(context): \(message)")
    }
}
