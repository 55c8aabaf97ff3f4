public import HookpipeStore
import HookpipeJSON

/// A stored event appended again as a new event, so that the chain (which
/// polls the store for other processes' appends) processes it once more:
/// `hookpipe replay` and `hookpipe dlq retry`.
///
/// The copy keeps the source, the raw payload and the metadata (the
/// envelope's `id`, `received_at`, `verified`, `headers`…) and adds
/// `"replay_of": <original seq>`. Its dedupe key, `replay:<seq>:<run>`,
/// cannot be a delivery's (no provider key has that form and `run` is new for
/// each command), so a copy is never swallowed as a duplicate. The store
/// records it as received now: retention and `--since` count from the copy.
public enum EventCopy {
    /// How long a copy's dedupe key is kept: only long enough for the store's
    /// bookkeeping, since no other event can carry it.
    static let keyWindow: Duration = .seconds(60)

    /// The copy of `event`.
    ///
    /// - Parameters:
    ///   - run: unique to one command invocation (a UUID).
    ///   - nowMicros: when the copy is stored.
    public static func of(_ event: StoredEvent, run: String, nowMicros: Int64) -> IncomingEvent {
        of(seq: event.seq, source: event.source, metadata: event.metadata, payload: event.payload, run: run, nowMicros: nowMicros)
    }

    /// The copy of the event with sequence number `seq`, from its parts.
    public static func of(seq: Int64, source: String, metadata: [UInt8], payload: [UInt8], run: String, nowMicros: Int64) -> IncomingEvent {
        let object = JSONObjectBuilder(parsing: metadata) ?? JSONObjectBuilder()
        object.set("replay_of", seq)
        return IncomingEvent(source: source, dedupeKey: "replay:\(seq):\(run)", dedupeWindow: keyWindow,
                             receivedAtMicros: nowMicros, metadata: object.serialized(), payload: payload)
    }
}
