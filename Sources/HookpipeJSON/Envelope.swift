/// The NDJSON envelope every stored event travels in.
///
/// `{"seq":<n>,<metadata fields>,"payload":<sender's JSON>}` on one line.
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
    public static func line(seq: Int64, metadata: [UInt8], payload: [UInt8]) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(metadata.count + payload.count + 40)
        line.append(contentsOf: #"{"seq":"#.utf8)
        line.append(contentsOf: String(seq).utf8)
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
}
