import Glibc

/// UTC timestamps as RFC 3339 text with microseconds, `2026-11-21T20:15:03.123456Z`.
///
/// Hand-formatted from `gmtime_r`: it runs once per request, and Foundation's
/// formatters are far slower and not safe to share across threads.
public enum RFC3339 {
    public static func format(micros: Int64) -> String {
        var seconds = time_t(micros.quotientAndRemainder(dividingBy: 1_000_000).quotient)
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else {
            return pad(year, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
                + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
                + "." + pad(Int(fraction), 6) + "Z"
        }
        // The common case, in one allocation: `YYYY-MM-DDThh:mm:ss.ffffffZ`.
        return String(unsafeUninitializedCapacity: 27) { text in
            func digits(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    text[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            digits(year, 4, at: 0)
            text[4] = UInt8(ascii: "-")
            digits(Int(parts.tm_mon) + 1, 2, at: 5)
            text[7] = UInt8(ascii: "-")
            digits(Int(parts.tm_mday), 2, at: 8)
            text[10] = UInt8(ascii: "T")
            digits(Int(parts.tm_hour), 2, at: 11)
            text[13] = UInt8(ascii: ":")
            digits(Int(parts.tm_min), 2, at: 14)
            text[16] = UInt8(ascii: ":")
            digits(Int(parts.tm_sec), 2, at: 17)
            text[19] = UInt8(ascii: ".")
            digits(Int(fraction), 6, at: 20)
            text[26] = UInt8(ascii: "Z")
            return 27
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
