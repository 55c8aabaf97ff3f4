/// One page of the console's event list: which events, and from where.
///
/// Pages run newest first and are cut by `seq`, never by an offset, so a page
/// deep in a store of millions costs what the first one does. Every page
/// examines at most ``scanWindow`` sequence numbers (dead-lettered events,
/// for ``Outcome/deadLettered``): a filter that matches rarely returns a short
/// (even empty) page whose ``EventPage/nextBeforeSeq`` continues the search
/// below, instead of one request reading the whole journal.
///
/// Conditions that are set must all hold:
/// - ``source``: exactly this source.
/// - ``id``: exactly this dedupe key (the envelope's `id`). The dedupe index
///   names, per source, the newest event stored under it, one seek each: the
///   first page lists those, and later pages scan below the lowest of them
///   for older ones (a key stored again after its window). Ids whose key
///   has left the index (older than the source's dedupe window) are found
///   only by scanning, page by page like any other filter. Missed: an older
///   event with the id numbered between two sources' newest ones.
/// - ``receivedAtOrBeforeMicros``: received at or before this instant. Each
///   page starts near it (a bisection over `seq`, about 20 point lookups, for
///   the instant plus a second); `received_at` only roughly follows `seq` (a
///   request is numbered when it is stored, and on PostgreSQL after commit
///   and by the receiving node's clock), so an event numbered after others
///   received more than a second later than it can be missed. Every event
///   returned does satisfy the condition.
/// - ``outcome``: where the event is in the chain, given ``checkpoint``.
public struct EventPageQuery: Sendable, Equatable {
    /// Where an event is in the chain. Every event has exactly one.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Not yet settled by the chain (`seq` above the checkpoint), and no stage gave up on it.
        case pending
        /// Settled (`seq` at or below the checkpoint) without a dead letter. An
        /// event whose dead letter an operator dropped counts as delivered.
        case delivered
        /// A stage gave up on it: it has at least one dead letter.
        case deadLettered = "dead-lettered"
    }

    /// Most events on one page.
    public static let limits: ClosedRange<Int> = 1...200
    /// Most sequence numbers one page examines.
    public static let scanWindows: ClosedRange<Int64> = 1...1_000_000
    /// The default ``limit``.
    public static let defaultLimit = 50

    /// Only events of this source.
    public var source: String?
    /// Only events with this dedupe key (the envelope's `id`).
    public var id: String?
    /// Only events received at or before this instant, microseconds since the Unix epoch.
    public var receivedAtOrBeforeMicros: Int64?
    /// Only events with this outcome.
    public var outcome: Outcome?
    /// The chain's checkpoint, which divides pending from settled events (a negative one counts as 0).
    public var checkpoint: Int64 { didSet { checkpoint = Self.clamped(checkpoint: checkpoint) } }
    /// The cursor: only events with `seq < beforeSeq`; `nil` starts at the newest.
    public var beforeSeq: Int64?
    /// Most events on the page; clamped into ``limits``.
    public var limit: Int { didSet { limit = limit.clamped(to: Self.limits) } }
    /// Most sequence numbers examined (with ``Outcome/deadLettered``, most
    /// dead-lettered events); clamped into ``scanWindows``. `nil`: the
    /// store's default, what it reads well within 200 ms even from a cold
    /// cache (``SQLiteEventStore/defaultScanWindow``, `PostgresEventStore.defaultScanWindow`).
    /// To fill more of a page per request, see ``EventStore/eventPage(_:within:)``.
    public var scanWindow: Int64? { didSet { scanWindow = scanWindow?.clamped(to: Self.scanWindows) } }

    /// Values outside ``limits`` and ``scanWindows`` are clamped into them;
    /// a negative checkpoint counts as 0.
    public init(source: String? = nil, id: String? = nil, receivedAtOrBeforeMicros: Int64? = nil, outcome: Outcome? = nil,
                checkpoint: Int64 = 0, beforeSeq: Int64? = nil, limit: Int = EventPageQuery.defaultLimit,
                scanWindow: Int64? = nil) {
        self.source = source
        self.id = id
        self.receivedAtOrBeforeMicros = receivedAtOrBeforeMicros
        self.outcome = outcome
        self.checkpoint = Self.clamped(checkpoint: checkpoint)
        self.beforeSeq = beforeSeq
        self.limit = limit.clamped(to: Self.limits)
        self.scanWindow = scanWindow?.clamped(to: Self.scanWindows)
    }

    private static func clamped(checkpoint: Int64) -> Int64 { checkpoint.clamped(to: 0...(.max - 1)) }

    /// The same query for the page after `page` (older events), or `nil` when there is none.
    public func next(after page: EventPage) -> EventPageQuery? {
        guard let cursor = page.nextBeforeSeq else { return nil }
        var next = self
        next.beforeSeq = cursor
        return next
    }
}

/// An event in a list: what identifies it, without its metadata or payload.
public struct EventSummary: Sendable, Equatable {
    public var seq: Int64
    public var source: String
    /// The dedupe key, the envelope's `id`.
    public var dedupeKey: String
    /// When it was received, microseconds since the Unix epoch.
    public var receivedAtMicros: Int64
    /// The payload's size in bytes (the payload itself is not read).
    public var payloadBytes: Int
    /// Whether it has at least one dead letter.
    public var deadLettered: Bool

    public init(seq: Int64, source: String, dedupeKey: String, receivedAtMicros: Int64, payloadBytes: Int, deadLettered: Bool) {
        self.seq = seq
        self.source = source
        self.dedupeKey = dedupeKey
        self.receivedAtMicros = receivedAtMicros
        self.payloadBytes = payloadBytes
        self.deadLettered = deadLettered
    }

    /// Its outcome when the chain's checkpoint is `checkpoint` (see ``EventPageQuery/Outcome``).
    public func outcome(checkpoint: Int64) -> EventPageQuery.Outcome {
        if deadLettered { return .deadLettered }
        return seq > checkpoint ? .pending : .delivered
    }
}

/// The answer to an ``EventPageQuery``.
public struct EventPage: Sendable, Equatable {
    /// The events found, newest first.
    public var events: [EventSummary]
    /// The cursor for the next, older page (``EventPageQuery/beforeSeq``);
    /// `nil` when no older event is left to examine. A page with fewer than
    /// ``EventPageQuery/limit`` events can still have one: its window ended.
    public var nextBeforeSeq: Int64?
    /// The sequence numbers this page searched, so a list can say "searched
    /// seq 901,000–1,000,000"; `nil` when it searched none. Every matching
    /// event in this range is on this page (see ``EventPageQuery/id`` for
    /// what a dedupe lookup can miss).
    public var scanned: ClosedRange<Int64>?

    public init(events: [EventSummary], nextBeforeSeq: Int64?, scanned: ClosedRange<Int64>?) {
        self.events = events
        self.nextBeforeSeq = nextBeforeSeq
        self.scanned = scanned
    }

    /// The lowest sequence number this page searched.
    public var scannedDownTo: Int64? { scanned?.lowerBound }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
