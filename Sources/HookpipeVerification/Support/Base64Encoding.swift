/// Standard base64 (RFC 4648 §4, `+` and `/`), written here so that what is
/// accepted is exactly what is tested.
enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding = UInt8(ascii: "=")

    /// `bytes` as padded base64.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : padding)
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3f)] : padding)
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes encoded by `text`, or `nil` for anything that is not base64.
    ///
    /// Padding may be present (then it must be correct) or left out; `=` may
    /// only appear at the end, and no other character outside the alphabet
    /// (not even whitespace) is accepted. Empty input decodes to nothing and
    /// is refused.
    static func decode(_ text: Substring) -> [UInt8]? {
        var chars = Array(text.utf8)
        guard !chars.isEmpty else { return nil }
        var padCount = 0
        while chars.last == padding, padCount < 2 {
            chars.removeLast()
            padCount += 1
        }
        if padCount > 0, !(chars.count + padCount).isMultiple(of: 4) { return nil }
        // A single leftover character cannot encode a byte.
        guard !chars.isEmpty, chars.count % 4 != 1 else { return nil }
        if padCount > 0, chars.count % 4 + padCount != 4 { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for char in chars {
            guard let sextet = value(char) else { return nil }
            buffer = buffer << 6 | UInt32(sextet)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        return out
    }

    static func decode(_ text: String) -> [UInt8]? { decode(Substring(text)) }

    private static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): char - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): char - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
