/// The durable store behind the receiver and the chain.
///
/// Every backend (the embedded SQLite file today, PostgreSQL later, so that
/// several receivers share one dedupe index and journal) implements this
/// protocol, and nothing outside this module knows which one is in use.
///
/// Contract:
/// - ``append(_:)`` returns only after the event and its dedupe key are
///   durable (committed and synced). Concurrent appends of the same
///   `(source, dedupeKey)` store exactly one event.
/// - Sequence numbers are dense-or-increasing, never reused, and never
///   assigned below one a reader has already seen: SQLite assigns them in
///   commit order; PostgreSQL assigns them after commit, in the order the
///   writing transactions began, once no earlier transaction can still commit.
public protocol EventStore: Sendable {
    /// Stores `event` unless its dedupe key was seen within its window.
    ///
    /// - Throws: ``StoreError`` when the event could not be made durable;
    ///   the caller must then not acknowledge it.
    func append(_ event: IncomingEvent) async throws(StoreError) -> AppendOutcome

    /// Callback form of ``append(_:)`` for callers on an event loop, which
    /// should not start a task per request. `completion` may run on any thread.
    func append(_ event: IncomingEvent, completion: @escaping @Sendable (Result<AppendOutcome, StoreError>) -> Void)

    /// Up to `limit` events with `seq > after`, in sequence order.
    func events(after: Int64, limit: Int) async throws(StoreError) -> [StoredEvent]

    /// The highest sequence number stored so far (0 when empty).
    func lastSequence() async throws(StoreError) -> Int64

    /// The last sequence number `consumer` settled (0 when it never saved one).
    func checkpoint(_ consumer: String) async throws(StoreError) -> Int64

    /// Durably records that `consumer` settled everything up to `seq`.
    func saveCheckpoint(_ consumer: String, seq: Int64) async throws(StoreError)

    /// Durably stores a dead letter; returns its id.
    func addDeadLetter(_ letter: DeadLetter) async throws(StoreError) -> Int64

    /// Dead letters, oldest first.
    func deadLetters(limit: Int) async throws(StoreError) -> [DeadLetter]

    /// Calls `observer` (on any thread) after each commit that stored new
    /// events, with those events in sequence order, so consumers need neither
    /// poll nor read back what was just written. Observers must be quick.
    func observeAppends(_ observer: @escaping @Sendable ([StoredEvent]) -> Void)

    /// Deletes events received before `cutoffMicros` with `seq <= upTo` (what the
    /// consumer settled), except events that still have a dead letter (so
    /// `hookpipe dlq retry` always finds them); dedupe keys are kept for their
    /// own windows and sequence numbers are never reused. Returns how many were deleted.
    func prune(receivedBefore cutoffMicros: Int64, upTo seq: Int64) async throws(StoreError) -> Int

    /// Checks the store's own structure and returns the problems found, empty
    /// when it is sound. Slow (it reads everything) but runs beside normal
    /// traffic; the daemon runs it once after start-up.
    func checkIntegrity() async throws(StoreError) -> [String]

    /// Flushes and closes the store. Later calls fail with ``StoreError/Code/closed``.
    func close() async

    // MARK: Operator access (`hookpipe tail`, `replay`, `inject`, `dlq`), safe while the daemon runs

    /// Stores `events` in their order, deduplicated like ``append(_:)``, and
    /// returns a result per event, in the order given, once every one of them
    /// is durable or has failed. Events stored get increasing sequence numbers
    /// in the order given (other writers' events may fall in between). Large
    /// arrays are committed in several transactions, so concurrent writers are
    /// never held up long; one transaction can fail while those before and
    /// after it commit, so any mix of successes and failures can come back,
    /// and each `.success` is durable whatever happened to the others.
    func appendEach(_ events: [IncomingEvent]) async -> [Result<AppendOutcome, StoreError>]

    /// Up to `limit` events matching `filter`, in sequence order: the oldest
    /// ones, or with `newestFirst` the newest ones (still returned oldest first).
    func events(matching filter: EventFilter, limit: Int, newestFirst: Bool) async throws(StoreError) -> [StoredEvent]

    /// The event with sequence number `seq`, or `nil` when there is none (never stored, or pruned).
    func event(seq: Int64) async throws(StoreError) -> StoredEvent?

    /// Up to `limit` dead letters with an id greater than `id`, oldest first.
    func deadLetters(after id: Int64, limit: Int) async throws(StoreError) -> [DeadLetter]

    /// The dead letter with this id, or `nil`.
    func deadLetter(id: Int64) async throws(StoreError) -> DeadLetter?

    /// How many dead letters are stored.
    func deadLetterCount() async throws(StoreError) -> Int

    /// Durably deletes a dead letter; returns whether it existed. Its event
    /// then becomes subject to retention pruning like any settled event.
    func deleteDeadLetter(id: Int64) async throws(StoreError) -> Bool

    /// Stores `event` (deduplicated like ``append(_:)``) and deletes the dead
    /// letter `id`, in one durable transaction: after a crash either both
    /// happened or neither. Returns `nil`, changing nothing, when the letter
    /// is gone (another retry or a drop got there first), so one letter is
    /// retried at most once.
    func append(_ event: IncomingEvent, replacingDeadLetter id: Int64) async throws(StoreError) -> AppendOutcome?

    // MARK: Console access (the admin listener's pages), safe while the daemon runs

    /// One page of events, newest first, filtered and cut by `seq` as
    /// ``EventPageQuery`` describes. Reads through primary keys and indexes
    /// only (none that an append maintains beyond what it did before), and at
    /// most the query's scan window of events: a page costs about the same
    /// with a thousand events stored or millions.
    func eventPage(_ query: EventPageQuery) async throws(StoreError) -> EventPage

    /// The dead letters of the event `seq`, oldest first (one per stage that gave up on it).
    func deadLetters(forSeq seq: Int64) async throws(StoreError) -> [DeadLetter]

    /// The lease that decides which node runs the chain, when several nodes
    /// share this store; `nil` (the default) when the chain may always run.
    var chainLease: (any ChainLease)? { get }

    /// The nodes sharing this store and the lease's holder; `nil` (the
    /// default) for a store only one node uses.
    func chainCluster() async throws(StoreError) -> ChainCluster?
}

extension EventStore {
    public var chainLease: (any ChainLease)? { nil }

    public func chainCluster() async throws(StoreError) -> ChainCluster? { nil }

    /// Default for stores without console reads (test doubles): fails as unavailable.
    public func eventPage(_ query: EventPageQuery) async throws(StoreError) -> EventPage {
        throw StoreError(.unavailable, "this store has no event pages")
    }

    /// Default for stores without an index of dead letters by `seq` (test
    /// doubles): reads every dead letter, a page at a time.
    public func deadLetters(forSeq seq: Int64) async throws(StoreError) -> [DeadLetter] {
        var found: [DeadLetter] = []
        var after: Int64 = 0
        while true {
            let letters = try await deadLetters(after: after, limit: 500)
            found += letters.filter { $0.seq == seq }
            guard letters.count == 500, let last = letters.last else { return found }
            after = last.id
        }
    }

    /// ``appendEach(_:)`` for callers that need all or nothing reported: the
    /// outcomes when every event was stored, else the first failure.
    ///
    /// - Important: when this throws, events before and after the failed one
    ///   may have been stored all the same. A caller that reports progress
    ///   (or may be run again) must use ``appendEach(_:)``.
    public func append(contentsOf events: [IncomingEvent]) async throws(StoreError) -> [AppendOutcome] {
        try await appendEach(events).map { result throws(StoreError) in try result.get() }
    }

    /// Default: runs the async ``append(_:)`` in a task.
    public func append(_ event: IncomingEvent, completion: @escaping @Sendable (Result<AppendOutcome, StoreError>) -> Void) {
        Task {
            do throws(StoreError) {
                completion(.success(try await append(event)))
            } catch {
                completion(.failure(error))
            }
        }
    }
}

/// An event accepted by the receiver, before it has a sequence number.
public struct IncomingEvent: Sendable {
    /// The configured source name.
    public var source: String
    /// The deduplication key, unique per source within `dedupeWindow`; also the envelope's `id`.
    public var dedupeKey: String
    /// How long the key is remembered.
    public var dedupeWindow: Duration
    /// When the request was received, in microseconds since the Unix epoch.
    public var receivedAtMicros: Int64
    /// The envelope's metadata, a serialised JSON object (see `Envelope`).
    public var metadata: [UInt8]
    /// The sender's raw, validated JSON body.
    public var payload: [UInt8]

    public init(source: String, dedupeKey: String, dedupeWindow: Duration, receivedAtMicros: Int64, metadata: [UInt8], payload: [UInt8]) {
        self.source = source
        self.dedupeKey = dedupeKey
        self.dedupeWindow = dedupeWindow
        self.receivedAtMicros = receivedAtMicros
        self.metadata = metadata
        self.payload = payload
    }
}

/// What ``EventStore/append(_:)`` did.
///
/// The sequence number is known at once with SQLite (it is assigned in the
/// writing transaction). With PostgreSQL it is assigned after the commit, by
/// the chain holder's sequencer, so a new event has none yet (`nil`), and a
/// duplicate has one only when the earlier event was sequenced.
public enum AppendOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Stored durably, under this new sequence number when the store assigns one at commit.
    case stored(seq: Int64?)
    /// The key was already stored within its window, as this sequence number
    /// when it has one; nothing was written.
    case duplicate(seq: Int64?)

    /// The sequence number of the stored event, new or earlier, when it has one yet.
    public var seq: Int64? {
        switch self {
        case .stored(let seq), .duplicate(let seq): seq
        }
    }

    /// `stored(seq: 12)`, `duplicate(seq: 3)`; without a number yet, `stored` or `duplicate`.
    public var description: String {
        switch self {
        case .stored(let seq): seq.map { "stored(seq: \($0))" } ?? "stored"
        case .duplicate(let seq): seq.map { "duplicate(seq: \($0))" } ?? "duplicate"
        }
    }
}

/// An event as read back from the store.
public struct StoredEvent: Sendable, Equatable {
    public var seq: Int64
    public var source: String
    public var dedupeKey: String
    public var receivedAtMicros: Int64
    public var metadata: [UInt8]
    public var payload: [UInt8]

    public init(seq: Int64, source: String, dedupeKey: String, receivedAtMicros: Int64, metadata: [UInt8], payload: [UInt8]) {
        self.seq = seq
        self.source = source
        self.dedupeKey = dedupeKey
        self.receivedAtMicros = receivedAtMicros
        self.metadata = metadata
        self.payload = payload
    }
}
