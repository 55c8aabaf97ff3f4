public import HookpipeStore
import HookpipeJSON

/// `hookpipe dlq`: lists, shows, retries and drops dead letters.
///
/// A retry appends a copy of the dead-lettered event like `replay` does
/// (``EventCopy``: new seq, `"replay_of"`) and deletes the dead letter, in one
/// transaction: a crash leaves both or neither, and of two retries of one
/// letter (or a retry and a drop) only the first changes anything.
/// Retention never prunes an event that has a dead letter, so the original is
/// normally there. When it is not (pruned by an older version, or deleted by
/// hand), the event is rebuilt from the dead letter's line if that line is
/// the stored envelope byte for byte (the failing stage was the first, or
/// every stage before it passed lines on unchanged); otherwise the retry is
/// refused and nothing changes.
public struct DeadLetterDesk: Sendable {
    public let store: any EventStore

    public init(store: any EventStore) {
        self.store = store
    }

    /// Every dead letter, oldest first.
    public func all() async throws(OperationError) -> [DeadLetter] {
        var letters: [DeadLetter] = []
        do {
            while true {
                let page = try await store.deadLetters(after: letters.last?.id ?? 0, limit: 1000)
                letters += page
                if page.count < 1000 { return letters }
            }
        } catch {
            throw .store(error, "read dead letters")
        }
    }

    /// The dead letter `id`, or ``OperationError/Code/notFound``.
    public func letter(_ id: Int64) async throws(OperationError) -> DeadLetter {
        let found: DeadLetter?
        do { found = try await store.deadLetter(id: id) } catch { throw .store(error, "read dead letter \(id)") }
        guard let found else { throw OperationError(.notFound, "no dead letter \(id) (see hookpipe dlq list)") }
        return found
    }

    /// What a retry did.
    public struct Retry: Sendable, Equatable {
        public var letter: Int64
        /// The dead-lettered event.
        public var originalSeq: Int64
        /// Its copy, when the store numbers events at commit (PostgreSQL numbers
        /// them later, on the chain holder: `nil`).
        public var seq: Int64?
        /// Whether the copy was rebuilt from the dead letter's line (the original was gone).
        public var fromLine: Bool

        public init(letter: Int64, originalSeq: Int64, seq: Int64?, fromLine: Bool) {
            self.letter = letter
            self.originalSeq = originalSeq
            self.seq = seq
            self.fromLine = fromLine
        }
    }

    /// Appends a copy of the letter's event and deletes the letter, atomically.
    /// Throws ``OperationError/Code/notFound`` when the letter is already gone.
    ///
    /// - Parameter run: unique to this command (see ``EventCopy``).
    public func retry(_ letter: DeadLetter, run: String, nowMicros: Int64) async throws(OperationError) -> Retry {
        let original: StoredEvent?
        do { original = try await store.event(seq: letter.seq) } catch { throw .store(error, "read event \(letter.seq)") }
        let copy: IncomingEvent
        if let original {
            copy = EventCopy.of(original, run: run, nowMicros: nowMicros)
        } else if let parts = Envelope.parts(of: letter.line), parts.seq == letter.seq,
                  case .success(let metadata) = JSONDocument.parse(parts.metadata), let source = metadata.scalarText(at: "/source") {
            copy = EventCopy.of(seq: letter.seq, source: source, metadata: parts.metadata, payload: parts.payload, run: run, nowMicros: nowMicros)
        } else {
            throw OperationError(.cannotRetry, """
                dead letter \(letter.id): event seq \(letter.seq) is no longer stored, and the line stage "\(letter.stage)" was given \
                is not the stored envelope, so the event cannot be rebuilt; nothing was changed. `hookpipe dlq show \(letter.id)` \
                prints that line; send what should be processed with `hookpipe inject`, then `hookpipe dlq drop \(letter.id)`
                """)
        }
        let outcome: AppendOutcome?
        do {
            outcome = try await store.append(copy, replacingDeadLetter: letter.id)
        } catch {
            throw .store(error, "store the copy of event \(letter.seq) in place of dead letter \(letter.id)")
        }
        guard let outcome else {
            throw OperationError(.notFound, "dead letter \(letter.id) is gone (retried or dropped meanwhile); nothing was changed")
        }
        return Retry(letter: letter.id, originalSeq: letter.seq, seq: outcome.seq, fromLine: original == nil)
    }

    /// Deletes the dead letter `id`, or throws ``OperationError/Code/notFound``.
    public func drop(_ id: Int64) async throws(OperationError) {
        let deleted: Bool
        do { deleted = try await store.deleteDeadLetter(id: id) } catch { throw .store(error, "delete dead letter \(id)") }
        guard deleted else { throw OperationError(.notFound, "no dead letter \(id) (see hookpipe dlq list)") }
    }
}
