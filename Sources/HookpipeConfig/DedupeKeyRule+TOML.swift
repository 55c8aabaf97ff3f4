import HookpipeVerification

extension DedupeKeyRule {
    /// The forms `dedupe_key` accepts, for error messages.
    static let expectation = #"one of "header:NAME", "json:/pointer", "query:NAME", "message-id" or "body-sha256""#

    /// Parses a `dedupe_key` value.
    static func parse(_ text: String) throws(ValueProblem) -> DedupeKeyRule {
        let found = FoundValue.quoted(text)
        switch text {
        case "message-id": return .messageID
        case "body-sha256": return .bodyHash
        default: break
        }
        if let name = text.dropPrefix("header:") {
            guard ValueSyntax.isHeaderName(name) else {
                throw ValueProblem(expected: #"a header name after "header:", like "header:X-Request-Id""#, found: found)
            }
            return .header(name)
        }
        if let pointer = text.dropPrefix("json:") {
            guard pointer.hasPrefix("/") else {
                throw ValueProblem(expected: #"a JSON pointer starting with "/" after "json:", like "json:/id""#, found: found)
            }
            guard isValidPointer(pointer) else {
                throw ValueProblem(expected: #"a JSON pointer where "~" is followed by 0 or 1 (RFC 6901)"#, found: found)
            }
            return .jsonPointer(pointer)
        }
        if let name = text.dropPrefix("query:") {
            guard !name.isEmpty, !ValueSyntax.containsSpaceOrControl(name) else {
                throw ValueProblem(expected: #"a parameter name after "query:", like "query:data.id""#, found: found)
            }
            return .query(name)
        }
        throw ValueProblem(expected: expectation, found: found)
    }

    /// RFC 6901: `~` only as `~0` or `~1`.
    private static func isValidPointer(_ pointer: String) -> Bool {
        var scalars = pointer.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "~" {
                guard let next = scalars.next(), next == "0" || next == "1" else { return false }
            }
        }
        return true
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil if it does not start with it.
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
