extension Envelope {
    /// The parts a stored envelope line was assembled from, when `line` is
    /// exactly what ``line(seq:metadata:payload:mark:)`` makes of them:
    /// `{"seq":N,<metadata members>,"payload":<raw>}`, with or without the
    /// chain's `"mark"` after `seq` (left out of what comes back: it belongs
    /// to one run of the chain), checked by assembling them again and
    /// comparing byte for byte. The payload comes back raw (as in the line,
    /// never re-serialised). `nil` for anything else, such as a line a stage rewrote.
    public static func parts(of line: [UInt8]) -> (seq: Int64, metadata: [UInt8], payload: [UInt8])? {
        guard let object = JSONObjectBuilder(parsing: line), let seq = object.integer("seq") else { return nil }
        let mark = object.string("mark").flatMap(parseMark)
        object.remove("seq")
        object.remove("mark")
        object.remove("payload")
        let metadata = object.serialized()
        let prefix = Self.line(seq: seq, metadata: metadata, payload: [], mark: mark).dropLast()
        guard line.count > prefix.count + 1, line.starts(with: prefix), line.last == UInt8(ascii: "}") else { return nil }
        let payload = Array(line[prefix.count..<(line.count - 1)])
        guard case .success = JSONDocument.parse(payload), Self.line(seq: seq, metadata: metadata, payload: payload, mark: mark) == line else {
            return nil
        }
        return (seq, metadata, payload)
    }
}
