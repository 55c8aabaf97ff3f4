/// Writes a compact JSON object straight into bytes.
///
/// For the receiver's hot path — the envelope's metadata and the answer to
/// every request — where ``JSONObjectBuilder`` would allocate a jansson value
/// per member and a hash table per object only to serialise them at once.
/// The output is byte for byte what ``JSONObjectBuilder/serialized()`` gives
/// for the same members in the same order (`JSONObjectWriterTests` holds the
/// two together, escapes included). Keys must be unique after ``key(_:)``:
/// the writer appends, it does not replace.
public struct JSONObjectWriter: Sendable {
    private var bytes: [UInt8]

    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func set(_ key: String, _ value: String) {
        member(key)
        Self.appendString(value, to: &bytes)
    }

    public mutating func set(_ key: String, _ value: Int64) {
        member(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func set(_ key: String, _ value: Bool) {
        member(key)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    public mutating func set(_ key: String, _ values: [String]) {
        member(key)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Sets `key` to the object `nested` wrote.
    public mutating func set(_ key: String, _ nested: JSONObjectWriter) {
        member(key)
        bytes.append(contentsOf: nested.bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// The object, closed.
    public func serialized() -> [UInt8] {
        var closed = bytes
        closed.append(UInt8(ascii: "}"))
        return closed
    }

    /// A key ends at its first NUL, as in jansson, whose object keys are C
    /// strings (and whose parser refuses `\u0000` in a key).
    public static func key(_ text: String) -> String {
        // Every member's key passes here: look at the bytes in place when they
        // are contiguous, as Swift's native strings are.
        let hasNUL = text.utf8.withContiguousStorageIfAvailable { $0.contains(0) } ?? text.utf8.contains(0)
        guard hasNUL, let nul = text.utf8.firstIndex(of: 0) else { return text }
        return String(text[..<nul])
    }

    private mutating func member(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        Self.appendString(Self.key(key), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// `text` as a JSON string, escaped as jansson escapes it: `"`, `\`, the
    /// short forms `\b \f \n \r \t`, other control characters as `\u00XX`;
    /// everything else (UTF-8, DEL, `/`) as is. Swift strings are valid UTF-8.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var clean = utf8.startIndex
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                clean = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
