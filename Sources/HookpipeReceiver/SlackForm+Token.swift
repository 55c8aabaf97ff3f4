import HookpipeJSON

/// Slack's legacy verification token, kept out of stored events.
///
/// Slash commands carry it as the form field `token`, interactions as the
/// top-level member `token` of their `payload` JSON. It is a credential for
/// apps that still check it, so like headers with `token` in their name it is
/// left out of what is stored; the request was verified by its signature.
extension SlackForm {
    /// The name of the field, and of the top-level member, that is left out.
    static let tokenName = "token"

    /// `json` without its top-level `token` member(s), every other byte as it
    /// was (the payload is not re-serialised). Text that is not a well-formed
    /// object is returned unchanged: jansson judges it next, and refuses it.
    static func removingToken(from json: [UInt8]) -> [UInt8] {
        var text = json
        while let cut = tokenMember(in: text) {
            text.removeSubrange(cut)
        }
        return text
    }

    /// The bytes to cut for the first top-level `token` member: the member
    /// with the comma after it, or before it when it is the last one.
    static func tokenMember(in json: [UInt8]) -> Range<Int>? {
        var scanner = Scanner(bytes: json)
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        var previousComma: Int?
        while true {
            let memberStart = scanner.index
            scanner.skipSpace()
            if previousComma == nil, scanner.peek == UInt8(ascii: "}") { return nil }
            let keyStart = scanner.index
            guard scanner.skipString() else { return nil }
            let key = json[keyStart..<scanner.index]
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            guard scanner.skipValue() else { return nil }
            let memberEnd = scanner.index
            scanner.skipSpace()
            let separator = scanner.index
            guard let next = scanner.peek, next == UInt8(ascii: ",") || next == UInt8(ascii: "}") else { return nil }
            scanner.index += 1
            if isToken(key) {
                if next == UInt8(ascii: ",") { return memberStart..<(separator + 1) }
                return (previousComma ?? memberStart)..<memberEnd
            }
            if next == UInt8(ascii: "}") { return nil }
            previousComma = separator
        }
    }

    /// Whether a quoted key is `"token"`, escapes (`"tok\u0065n"`) decoded by jansson.
    private static func isToken(_ quoted: ArraySlice<UInt8>) -> Bool {
        if !quoted.contains(UInt8(ascii: "\\")) { return quoted.elementsEqual("\"\(tokenName)\"".utf8) }
        guard case .success(let document) = JSONDocument.parse(Array("[".utf8) + quoted + Array("]".utf8)) else { return false }
        return document.scalarText(at: "/0") == tokenName
    }

    /// Steps over JSON text without building anything.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        /// Past a string starting at `index`; `false` when there is none or it is unterminated.
        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while let byte = peek {
                index += byte == UInt8(ascii: "\\") ? 2 : 1
                if byte == UInt8(ascii: "\"") { return true }
            }
            return false
        }

        /// Past one value: a string, an object or array (brackets counted
        /// outside strings), or a scalar (up to the next delimiter).
        mutating func skipValue() -> Bool {
            switch peek {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while let byte = peek {
                    if byte == UInt8(ascii: "\"") {
                        guard skipString() else { return false }
                        continue
                    }
                    index += 1
                    if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                    if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
                    if depth == 0 { return true }
                }
                return false
            case .some:
                let start = index
                while let byte = peek, !",}] \t\r\n".utf8.contains(byte) { index += 1 }
                return index > start
            case nil:
                return false
            }
        }
    }
}
