import Glibc

extension RFC3339 {
    /// Parses an RFC 3339 timestamp into microseconds since the Unix epoch.
    ///
    /// Accepts `2026-11-21T20:15:03Z`, with optional fraction (up to
    /// microseconds are kept; further digits are dropped), `Z` or a numeric
    /// offset `±HH:MM`, `T` or a space (or lower case `t`/`z`); and a bare
    /// date, `2026-11-21`, meaning its midnight UTC. `nil` for anything else,
    /// including out-of-range fields like month 13.
    public static func parse(_ text: String) -> Int64? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
              let day = scanner.number(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, fraction: Int64 = 0, offset = 0
        if !scanner.atEnd {
            guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
                  let h = scanner.number(2), scanner.skip(":"), let m = scanner.number(2), scanner.skip(":"), let s = scanner.number(2),
                  h < 24, m < 60, s <= 60
            else { return nil }
            (hour, minute, second) = (h, m, s)
            if scanner.skip(".") {
                let (value, digits) = scanner.fraction()
                guard digits > 0 else { return nil }
                fraction = value
            }
            if scanner.skip("Z") || scanner.skip("z") {
                offset = 0
            } else if let sign = scanner.sign(), let oh = scanner.number(2), scanner.skip(":"), let om = scanner.number(2),
                      oh < 24, om < 60 {
                offset = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
            guard scanner.atEnd else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(min(second, 59))
        let seconds = Int64(timegm(&parts))
        // timegm normalises out-of-range days (February 30 → March 2): refuse those.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return (seconds - Int64(offset)) * 1_000_000 + fraction
    }
}

/// Reads fixed-width digit fields and separators from ASCII bytes.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Exactly `width` decimal digits.
    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<(index + width)] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += width
        return value
    }

    /// A run of digits after the decimal point, as microseconds, and how many digits there were.
    mutating func fraction() -> (micros: Int64, digits: Int) {
        var micros: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
            if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 0x30) }
            digits += 1
            index += 1
        }
        for _ in digits..<max(digits, 6) { micros *= 10 }
        return (micros, digits)
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
