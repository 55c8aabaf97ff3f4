/// Checks on the raw text of `pipeline.conf` for input that TOMLKit 0.6.0
/// (toml++ 3.x inside) mishandles, so it is refused with a clear message
/// before the parser sees it. Found by fuzzing (`Fuzz/FuzzConfigLoader`).
extension ConfigLoader {
    /// The line of the first `\u0000` or `\U00000000` escape in `text`, if any.
    ///
    /// TOMLKit hands strings over as C strings, so a value with an escaped NUL
    /// would be cut there without a word: the secret `"abc\u0000def"` would be
    /// `abc`, a command argument would lose its end. The check does not parse
    /// TOML, so it also refuses the escape in a comment or a literal string,
    /// where it would be harmless text; it has no use in this file either way.
    static func escapedNULLine(in text: String) -> Int? {
        let bytes = Array(text.utf8)
        var line = 1
        var backslashes = 0
        for index in bytes.indices {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                backslashes += 1
                continue
            }
            if !backslashes.isMultiple(of: 2),
               bytes[index...].starts(with: "u0000".utf8) || bytes[index...].starts(with: "U00000000".utf8) {
                return line
            }
            backslashes = 0
            if byte == UInt8(ascii: "\n") { line += 1 }
        }
        return nil
    }

    /// The line of the first table header (`[` or `[[` at the start of a line,
    /// outside strings, comments and multi-line values) whose name does not
    /// start, after spaces, with a bare-key character, a quote or `]`; e.g.
    /// `[[[source]]`, `[.a]`, `[#]`, `[é]`, or `[` with nothing on its line.
    ///
    /// toml++ asserts on these (`parse_key`): the debug build aborts, killing
    /// `hookpipe check` or, on SIGHUP, the daemon; with `NDEBUG` the assertion
    /// becomes an assumption the optimiser may rely on (undefined behaviour).
    static func malformedTableHeaderLine(in text: String) -> Int? {
        var scanner = HeaderScanner(bytes: Array(text.utf8))
        return scanner.firstMalformedHeader()
    }
}

/// A minimal TOML lexer: just enough to tell table headers from the same
/// characters inside strings, comments, arrays and inline tables.
private struct HeaderScanner {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var atLineStart = true
    /// Open `[` and `{` of values (arrays and inline tables, which may span lines).
    var valueDepth = 0

    mutating func firstMalformedHeader() -> Int? {
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                atLineStart = true
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                skipString(delimiter: byte)
                atLineStart = false
            case UInt8(ascii: "[") where atLineStart && valueDepth == 0:
                var next = index + 1
                if next < bytes.count, bytes[next] == UInt8(ascii: "[") { next += 1 }
                while next < bytes.count, bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: "\t") { next += 1 }
                if next < bytes.count, !Self.startsKey(bytes[next]) { return line }
                index = next
                atLineStart = false
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                valueDepth += 1
                index += 1
                atLineStart = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                valueDepth = max(0, valueDepth - 1)
                index += 1
                atLineStart = false
            default:
                index += 1
                atLineStart = false
            }
        }
        return nil
    }

    /// Moves past the string starting at `index` (`"…"`, `'…'`, `"""…"""`, `'''…'''`).
    private mutating func skipString(delimiter: UInt8) {
        let triple = [delimiter, delimiter, delimiter]
        let multiLine = bytes[index...].starts(with: triple)
        index += multiLine ? 3 : 1
        while index < bytes.count {
            let byte = bytes[index]
            if multiLine, bytes[index...].starts(with: triple) {
                index += 3
                // Up to two more quotes may end the content (`""""" ` is `""` + `"""`).
                while index < bytes.count, bytes[index] == delimiter { index += 1 }
                return
            }
            if !multiLine, byte == delimiter || byte == UInt8(ascii: "\n") {
                if byte == delimiter { index += 1 }
                return
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            // Escapes only in basic strings; an escaped newline is still a line.
            if delimiter == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                index += 1
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            }
            index += 1
        }
    }

    /// What toml++ accepts first in a header: a bare key, a quoted key, or `]` (its own error).
    private static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }
}
