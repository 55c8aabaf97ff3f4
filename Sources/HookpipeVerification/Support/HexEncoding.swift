/// Lower-case hexadecimal, as providers print digests.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hexadecimal.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes spelled by `text` (either case), or `nil` when `text` is empty,
    /// has an odd length or contains anything but hexadecimal digits.
    static func decode(_ text: Substring) -> [UInt8]? {
        text.utf8.withContiguousStorageIfAvailable { decode(digits: $0) } ?? decode(digits: Array(text.utf8))
    }

    /// The bytes spelled by the hexadecimal digits `utf8` (either case), or
    /// `nil` as for text.
    static func decode(_ utf8: ArraySlice<UInt8>) -> [UInt8]? { decode(digits: utf8) }

    private static func decode<Digits: RandomAccessCollection<UInt8>>(digits utf8: Digits) -> [UInt8]? where Digits.Index == Int {
        guard !utf8.isEmpty, utf8.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func decode(_ text: String) -> [UInt8]? { decode(Substring(text)) }

    /// The value of one hexadecimal digit, either case; `nil` for any other byte.
    public static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
