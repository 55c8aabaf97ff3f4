/// A value with the right TOML type but the wrong form, found by one of the
/// small parsers (secrets, dedupe keys); the reader adds the key path.
struct ValueProblem: Error {
    /// What a valid value looks like.
    var expected: String
    /// What was there, as it may be shown (never a secret's value).
    var found: String
}

/// Character-level checks shared by the parsers.
enum ValueSyntax {
    /// An HTTP header name (an RFC 9110 token).
    static func isHeaderName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// A source name: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    static func isSourceName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isAlphanumeric(first) else { return false }
        return text.unicodeScalars.allSatisfy { isAlphanumeric($0) || "._-".unicodeScalars.contains($0) }
    }

    /// An environment variable name: letters, digits and `_`, not starting with a digit.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "_" }
    }

    /// Whether `text` contains whitespace or control characters.
    static func containsSpaceOrControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

extension ConfigKeyPath {
    /// The value at this path has the wrong form.
    func invalid(_ problem: ValueProblem) -> ConfigError {
        invalid(expected: problem.expected, found: problem.found)
    }
}
