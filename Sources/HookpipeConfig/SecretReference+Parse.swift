extension SecretReference {
    /// The forms a secret may take, for error messages.
    static let expectation = #""env:NAME", "file:PATH", "credential:NAME" or the secret itself"#

    /// Parses a secret as written in `pipeline.conf`; a relative `file:` path is
    /// resolved against `baseDirectory`. Anything without a known prefix is a literal.
    ///
    /// A problem's `found` shows the text only when it has a reference prefix,
    /// never a would-be literal value.
    static func parse(_ text: String, baseDirectory: String) throws(ValueProblem) -> SecretReference {
        if let name = text.dropPrefix("env:") {
            guard ValueSyntax.isVariableName(name) else {
                throw ValueProblem(
                    expected: #"an environment variable name after "env:" (letters, digits, "_"), like "env:STRIPE_SECRET""#,
                    found: FoundValue.quoted(text))
            }
            return .environment(name)
        }
        if let path = text.dropPrefix("file:") {
            guard !path.isEmpty, !path.contains("\0") else {
                throw ValueProblem(
                    expected: #"a path after "file:", like "file:/etc/hookpipe/stripe.secret""#, found: FoundValue.quoted(text))
            }
            return .file(FileSystem.join(baseDirectory, path))
        }
        if let name = text.dropPrefix("credential:") {
            guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !ValueSyntax.containsSpaceOrControl(name) else {
                throw ValueProblem(
                    expected: #"a credential name after "credential:" (a file name, no "/"), like "credential:stripe-secret""#,
                    found: FoundValue.quoted(text))
            }
            return .credential(name)
        }
        guard !text.isEmpty else { throw ValueProblem(expected: expectation, found: "an empty string") }
        return .literal(text)
    }
}
