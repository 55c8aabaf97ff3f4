/// The arithmetic of one ``EventPage``, apart from the queries that carry it
/// out: both stores run the same plan, and tests check it without a database.
///
/// A store runs it in this order:
/// 1. ``init(_:defaultScanWindow:)``, then while ``unsettledUpper`` is set, the highest
///    ``driver`` seq below it and at or above ``floor`` into ``settle(newest:)``
///    (so a page never starts in a gap: past the newest event, in a pruned
///    stretch, or between two dead letters);
/// 2. when ``bisection`` is set, the lookups it asks for, then ``jump(to:)``
///    and step 1's loop again;
/// 3. when ``unsizedWindow`` is set, the `count`-th newest seq that has a
///    dead letter below its bound (at or above ``floor``) into ``sizeWindow(lowest:)``;
/// 4. ``firstScan``, and for ``Scan/lookup(id:source:)`` the dedupe index's
///    answer through ``afterLookup(_:)``, which gives the scan to run instead;
/// 5. the rows of that scan that meet every one of ``conditions``, newest
///    first, at most ``limit`` + 1 of them; when ``olderBound(after:rowCount:)``
///    names a bound, the highest ``driver`` seq below it and at or above ``floor``;
/// 6. ``page(after:rows:olderSeq:)``.
package struct EventPagePlan: Sendable, Equatable {
    /// The table whose `seq` values a scan walks.
    package enum Driver: Sendable, Equatable {
        /// The journal (its primary key).
        case events
        /// The dead letters (by `seq`): only dead-lettered events are wanted, and they are few.
        case deadLetters
    }

    /// A condition every returned event meets, besides the scan's range.
    package enum Condition: Sendable, Equatable {
        case source(String)
        case dedupeKey(String)
        case receivedAtOrBefore(Int64)
        /// Has a dead letter (`true`) or has none (`false`).
        case deadLettered(Bool)
    }

    /// What to read.
    package enum Scan: Sendable, Equatable {
        /// Nothing can match.
        case nothing
        /// Ask the dedupe index which events carry this key: of `source`, or of every source.
        case lookup(id: String, source: String?)
        /// The driver's sequence numbers in this range.
        case range(ClosedRange<Int64>)
        /// These events, newest first (the dedupe index's answer).
        case seqs([Int64])
    }

    /// How far above the bisection's target a page starts, so that an event
    /// numbered a little after others received later than it is still found.
    package static let timeSlackMicros: Int64 = 1_000_000

    package let query: EventPageQuery
    package let driver: Driver
    package let conditions: [Condition]
    /// The lowest `seq` the page may return.
    package let floor: Int64
    /// One above the highest `seq` the page may return.
    package private(set) var upper: Int64
    /// Set while ``upper`` may lie above the newest ``driver`` seq that is
    /// below it: the bound to look below, for ``settle(newest:)``.
    package private(set) var unsettledUpper: Int64?
    /// The lowest seq of a dead-letter window, once ``sizeWindow(lowest:)`` said it.
    private var windowBottom: Int64?

    package var limit: Int { query.limit }
    /// Most sequence numbers (or dead-lettered events) one page examines.
    package let scanWindow: Int64

    /// Plans `query`; a store that examines rows faster or slower gives its own `defaultScanWindow`.
    package init(_ query: EventPageQuery, defaultScanWindow: Int64) {
        self.query = query
        scanWindow = query.scanWindow ?? defaultScanWindow
        var conditions: [Condition] = []
        if let source = query.source { conditions.append(.source(source)) }
        if let id = query.id { conditions.append(.dedupeKey(id)) }
        if let instant = query.receivedAtOrBeforeMicros { conditions.append(.receivedAtOrBefore(instant)) }
        var upper = query.beforeSeq ?? .max
        switch query.outcome {
        case nil:
            (driver, floor) = (.events, 1)
        case .pending:
            (driver, floor) = (.events, query.checkpoint + 1)
            conditions.append(.deadLettered(false))
        case .delivered:
            (driver, floor) = (.events, 1)
            upper = min(upper, query.checkpoint + 1)
            conditions.append(.deadLettered(false))
        case .deadLettered:
            (driver, floor) = (.deadLetters, 1)
            conditions.append(.deadLettered(true))
        }
        self.conditions = conditions
        self.upper = upper
        unsettledUpper = upper > floor ? upper : nil
    }

    /// Lowers ``upper`` to one above `newest`, the highest ``driver`` seq
    /// below ``unsettledUpper`` and at or above ``floor`` (`nil`: there is none).
    package mutating func settle(newest: Int64?) {
        guard let bound = unsettledUpper else { return }
        unsettledUpper = nil
        upper = max(floor, min(bound, (newest ?? floor - 1) + 1))
    }

    /// The search for where ``EventPageQuery/receivedAtOrBeforeMicros`` falls,
    /// when the query has one and anything is left to search.
    package var bisection: SeqBisection? {
        guard let instant = query.receivedAtOrBeforeMicros, unsettledUpper == nil, upper > floor else { return nil }
        let (target, overflow) = instant.addingReportingOverflow(Self.timeSlackMicros)
        return SeqBisection(target: overflow ? .max : target, searching: floor..<upper)
    }

    /// Starts the page where `bisection` ended. The bisection ends on an
    /// event, so only a dead-letter ``driver`` needs ``settle(newest:)`` again.
    package mutating func jump(to bisection: SeqBisection) {
        let end = min(upper, bisection.end)
        if end < upper && driver == .deadLetters && end > floor { unsettledUpper = end }
        upper = max(floor, end)
    }

    /// Set for a dead-letter ``driver`` until ``sizeWindow(lowest:)``: its
    /// window holds the newest `count` dead-lettered events below `below`, not
    /// a stretch of sequence numbers (dead letters are few and far between).
    package var unsizedWindow: (below: Int64, count: Int64)? {
        guard driver == .deadLetters, windowBottom == nil, unsettledUpper == nil, upper > floor else { return nil }
        return (upper, scanWindow)
    }

    /// Where the dead-letter window ends: its oldest dead-lettered seq, `nil` when fewer than its count are left.
    package mutating func sizeWindow(lowest: Int64?) {
        windowBottom = max(floor, lowest ?? floor)
    }

    /// The first thing to read.
    package var firstScan: Scan {
        guard unsettledUpper == nil, upper > floor else { return .nothing }
        if let id = query.id { return .lookup(id: id, source: query.source) }
        return window
    }

    /// The scan to run after the dedupe index said `seqs` carry the id: those
    /// within the page's bounds (the newest ``limit`` of them), or, when none
    /// is, a window like any filter's (the id is older than its dedupe window,
    /// or its events lie below the cursor).
    package func afterLookup(_ seqs: [Int64]) -> Scan {
        guard upper > floor else { return .nothing }
        let found = Set(seqs.filter { $0 >= floor && $0 < upper }).sorted(by: >).prefix(limit)
        return found.isEmpty ? window : .seqs(Array(found))
    }

    /// The seq below which the store must find the next ``driver`` row (at or
    /// above ``floor``) after running `scan` and finding `rowCount` rows; `nil`
    /// when the page needs none.
    package func olderBound(after scan: Scan, rowCount: Int) -> Int64? {
        switch scan {
        case .nothing, .lookup: nil
        case .range(let range): rowCount > limit ? nil : range.lowerBound
        case .seqs(let seqs): seqs.last
        }
    }

    /// The page: `rows` are what `scan` found (newest first), `olderSeq` the
    /// answer to ``olderBound(after:rowCount:)``.
    package func page(after scan: Scan, rows: [EventSummary], olderSeq: Int64?) -> EventPage {
        let next = olderSeq.map { $0 + 1 }
        switch scan {
        case .nothing, .lookup:
            return EventPage(events: [], nextBeforeSeq: nil, scanned: nil)
        case .range(let range):
            guard rows.count > limit else { return EventPage(events: rows, nextBeforeSeq: next, scanned: range) }
            let events = Array(rows.prefix(limit))
            let last = events[limit - 1].seq
            return EventPage(events: events, nextBeforeSeq: last, scanned: last...range.upperBound)
        case .seqs(let seqs):
            let lowest = seqs.last ?? upper - 1
            return EventPage(events: Array(rows.prefix(limit)), nextBeforeSeq: next, scanned: lowest...(upper - 1))
        }
    }

    /// At most ``scanWindow`` numbers (or dead-lettered events) just below ``upper``.
    private var window: Scan {
        if driver == .deadLetters, let windowBottom { return .range(min(windowBottom, upper - 1)...(upper - 1)) }
        let (lowest, overflow) = upper.subtractingReportingOverflow(scanWindow)
        return .range(max(floor, overflow ? floor : lowest)...(upper - 1))
    }
}
