/// The NDJSON envelope every stored event travels in.
///
/// `{"seq":<n>,<metadata fields>,"payload":<sender's JSON>}` on one line;
/// the chain adds `"mark":"<16 hex digits>"` after `seq` to the lines it
/// feeds its first stage (the token it settles by, never stored).
/// The metadata (id, source, received_at, verified, headers, query) is built
/// by jansson at ingest and stored; the payload is the sender's raw bytes.
/// Raw bytes are kept rather than a re-serialisation, because re-serialising
/// changes numbers (`0.1` → `0.10000000000000001`). A validated JSON text can
/// contain CR and LF only as insignificant whitespace, never inside a string,
/// so replacing them with spaces makes any payload fit on one line without
/// changing its meaning.
public enum Envelope {
    /// Assembles the envelope line, without the trailing newline.
    ///
    /// - Parameters:
    ///   - seq: the event's sequence number.
    ///   - metadata: a serialised JSON object, as produced by ``JSONObjectBuilder``.
    ///   - payload: the sender's validated JSON, raw.
    ///   - mark: the chain's settlement mark for this event, if any.
    public static func line(seq: Int64, metadata: [UInt8], payload: [UInt8], mark: UInt64? = nil) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(metadata.count + payload.count + 64)
        line.append(contentsOf: #"{"seq":"#.utf8)
        line.append(contentsOf: String(seq).utf8)
        if let mark {
            line.append(contentsOf: #","mark":""#.utf8)
            appendHex(mark, to: &line)
            line.append(UInt8(ascii: "\""))
        }
        // metadata is "{…}": splice its members in after seq.
        if metadata.count > 2 {
            line.append(UInt8(ascii: ","))
            line.append(contentsOf: metadata[1..<(metadata.count - 1)])
        }
        line.append(contentsOf: #","payload":"#.utf8)
        for byte in payload {
            line.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte)
        }
        line.append(UInt8(ascii: "}"))
        return line
    }

    /// The 16 lower-case hex digits of `mark`, as the envelope carries them.
    public static func markText(_ mark: UInt64) -> String {
        var bytes: [UInt8] = []
        appendHex(mark, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a mark written by ``markText(_:)``: exactly 16 hex digits, else `nil`.
    public static func parseMark(_ text: String) -> UInt64? {
        let utf8 = text.utf8
        guard utf8.count == 16 else { return nil }
        var value: UInt64 = 0
        for byte in utf8 {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// Appends 16 lower-case hex digits, computed (no table: this runs once per event fed).
    private static func appendHex(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            let digit = UInt8((value >> UInt64(shift)) & 0xF)
            bytes.append(digit < 10 ? digit + 0x30 : digit + 0x57)
        }
    }
}
