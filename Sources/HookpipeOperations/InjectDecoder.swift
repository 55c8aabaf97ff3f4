public import HookpipeConfig
public import HookpipeProcess
public import HookpipeStore
import HookpipeJSON
import HookpipeVerification

/// Turns one NDJSON line of `hookpipe inject` into an event for a source, or
/// says why it cannot. No I/O.
///
/// Each line must be a JSON object (validated by jansson like a received
/// body) no larger than the receiver's `max_body_bytes`. Its dedupe key is
/// chosen by the source's rule exactly as the receiver chooses it
/// (``HookpipeVerification/DedupeKeyRule/key(headers:query:messageID:body:bodyValue:)``):
/// a `json:` rule reads the line; rules that read the HTTP request
/// (`header:`, `query:`, `message-id`) find nothing in a line, so — as for a
/// request lacking them — the key is the line's SHA-256. `--id-pointer`
/// replaces the rule, and a line without a value there is refused.
///
/// The envelope metadata is a received event's, marked as injected and not
/// verified: `{"id","source","received_at","injected":true,
/// "verified":{"scheme":…,"body":false,"fields":[]},"headers":{},"query":{}}`.
public struct InjectDecoder: Sendable {
    public let source: SourceConfig
    /// Overrides the source's rule: the key is the scalar at this JSON pointer.
    public let idPointer: String?
    /// The longest line accepted, in bytes (the receiver's `max_body_bytes`).
    public let maxLineBytes: Int

    public init(source: SourceConfig, idPointer: String?, maxLineBytes: Int) {
        self.source = source
        self.idPointer = idPointer
        self.maxLineBytes = maxLineBytes
    }

    /// What became of one line.
    public enum Outcome: Sendable {
        /// An event to store.
        case event(IncomingEvent)
        /// An empty (or whitespace-only) line: skipped, not an error.
        case blank
        /// Refused, with why (no line number; the caller adds it).
        case invalid(String)
    }

    /// Decodes one line as ``LineSplitter`` cut it.
    public func decode(_ line: LineSplitter.Line, nowMicros: Int64) -> Outcome {
        switch line {
        case .oversized(_, let length):
            return .invalid("\(length) bytes, more than max_body_bytes (\(maxLineBytes))")
        case .complete(var bytes):
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            return decode(bytes, nowMicros: nowMicros)
        }
    }

    func decode(_ bytes: [UInt8], nowMicros: Int64) -> Outcome {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        if bytes.count > maxLineBytes { return .invalid("\(bytes.count) bytes, more than max_body_bytes (\(maxLineBytes))") }
        let document: JSONDocument
        switch JSONDocument.parse(bytes) {
        case .success(let parsed): document = parsed
        case .failure(let error): return .invalid(Self.notJSON(error))
        }
        guard document.isObject else { return .invalid("not a JSON object (one event object per line is expected)") }
        let key: String
        if let idPointer {
            guard let value = document.scalarText(at: idPointer), !value.isEmpty else {
                return .invalid("no string or number at \(idPointer) (--id-pointer)")
            }
            key = value
        } else {
            key = source.dedupeKeyRule.key(body: bytes) { document.scalarText(at: $0) }
        }
        return .event(IncomingEvent(source: source.name, dedupeKey: key, dedupeWindow: source.dedupeWindow, receivedAtMicros: nowMicros,
                                    metadata: metadata(id: key, nowMicros: nowMicros), payload: bytes))
    }

    /// `not JSON: '[' or '{' expected near 'not' (jansson stopped at column 3)`:
    /// jansson's reason first; the column is where it stopped reading, which
    /// is the end of the offending token, not its start.
    static func notJSON(_ error: JSONParseError) -> String {
        "not JSON: \(error.message) (jansson stopped at column \(error.column))"
    }

    private func metadata(id: String, nowMicros: Int64) -> [UInt8] {
        let envelope = JSONObjectBuilder()
        envelope.set("id", id)
        envelope.set("source", source.name)
        envelope.set("received_at", RFC3339.format(micros: nowMicros))
        envelope.set("injected", true)
        let verified = JSONObjectBuilder()
        verified.set("scheme", source.scheme.rawValue)
        verified.set("body", false)
        verified.set("fields", [String]())
        envelope.set("verified", verified)
        envelope.set("headers", JSONObjectBuilder())
        envelope.set("query", JSONObjectBuilder())
        return envelope.serialized()
    }
}
