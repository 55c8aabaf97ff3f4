/// Renders an argv as one line that a POSIX shell would split back into the same words.
public enum ShellQuoting {
    /// The words joined by spaces, each quoted only when it needs to be: `jq -c '.a | .b'`.
    public static func line(_ words: [String]) -> String {
        words.map(quoted).joined(separator: " ")
    }

    /// `word` unchanged when it holds only characters no shell treats specially,
    /// else in single quotes with each `'` written as `'\''`; `''` for an empty word.
    public static func quoted(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy(isPlain) { return word }
        return "'" + word.replacing("'", with: #"'\''"#) + "'"
    }

    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "_@%+=:,./-".unicodeScalars.contains(scalar)
    }
}
