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

    /// What the raw text holds that toml++ would assert on, first in the file:
    ///
    /// - `tableHeader`: a table header (`[` or `[[` at the start of a line,
    ///   outside strings, comments and multi-line values) whose name does not
    ///   start, after spaces, with a bare-key character, a quote or `]`; e.g.
    ///   `[[[source]]`, `[.a]`, `[#]`, `[é]`, or `[` with nothing on its line
    ///   (toml++'s `parse_key` asserts).
    /// - `dateTime`: a value that starts as a date followed by `T` and
    ///   something other than a digit, e.g. `x = 1979-05-27Tpath:00`. toml++
    ///   takes it for a date-time once a `:` follows, and `parse_time`
    ///   asserts that a digit comes after the `T`. hookpipe has no date-time
    ///   settings. Only values are looked at (after `=`, or `[` and `,`), so
    ///   a bare key spelled like a date is left to the parser.
    ///
    /// An assertion aborts `hookpipe check` or, on SIGHUP, the daemon; with
    /// `NDEBUG` it becomes an assumption the optimiser may rely on
    /// (undefined behaviour).
    static func firstGuardedProblem(in text: String) -> GuardedProblem? {
        var scanner = GuardScanner(bytes: Array(text.utf8))
        return scanner.firstProblem()
    }

    enum GuardedProblem: Equatable {
        case tableHeader(line: Int)
        case dateTime(line: Int)
    }
}

/// A minimal TOML lexer: just enough to tell table headers and values from
/// the same characters inside strings, comments, arrays and inline tables.
private struct GuardScanner {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var atLineStart = true
    /// Open `[` and `{` of values (arrays and inline tables, which may span lines).
    var valueDepth = 0
    /// The last byte outside strings, comments and whitespace.
    var previous: UInt8 = UInt8(ascii: "\n")

    mutating func firstProblem() -> ConfigLoader.GuardedProblem? {
        // toml++ skips a UTF-8 byte order mark: what follows is at the start of line 1.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < bytes.count {
            let byte = bytes[index]
            let before = previous
            if !Self.isSpace(byte) { previous = byte }
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
                if next < bytes.count, !Self.startsKey(bytes[next]) { return .tableHeader(line: line) }
                index = next
                atLineStart = false
                previous = 0  // a table name follows, not a value
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                valueDepth += 1
                index += 1
                atLineStart = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                valueDepth = max(0, valueDepth - 1)
                index += 1
                atLineStart = false
            case UInt8(ascii: "0")...UInt8(ascii: "9") where Self.valueMayStart(after: before):
                if isDateWithoutTime(at: index) { return .dateTime(line: line) }
                index += 1
                atLineStart = false
            default:
                index += 1
                atLineStart = false
            }
        }
        return nil
    }

    /// `YYYY-MM-DD` then `T` or `t`, then anything but a digit (or the end).
    private func isDateWithoutTime(at start: Int) -> Bool {
        let digits = [0, 1, 2, 3, 5, 6, 8, 9], dashes = [4, 7]
        for offset in digits where !(start + offset < bytes.count && Self.isDigit(bytes[start + offset])) { return false }
        for offset in dashes where !(start + offset < bytes.count && bytes[start + offset] == UInt8(ascii: "-")) { return false }
        guard start + 10 < bytes.count, bytes[start + 10] | 0x20 == UInt8(ascii: "t") else { return false }
        return !(start + 11 < bytes.count && Self.isDigit(bytes[start + 11]))
    }

    /// A value starts after `=`, or after `[` or `,` inside an array. (After
    /// a `,` in an inline table a key starts; treating it as a value there
    /// only refuses a key spelled like a broken date-time.)
    private static func valueMayStart(after previous: UInt8) -> Bool {
        previous == UInt8(ascii: "=") || previous == UInt8(ascii: "[") || previous == UInt8(ascii: ",")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
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
