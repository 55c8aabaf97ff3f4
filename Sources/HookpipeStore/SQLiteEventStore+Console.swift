import GRDB

/// The console's reads: pages of events (``EventPagePlan`` decides, these
/// queries carry it out, all in one read transaction) and an event's dead
/// letters. Every query seeks or walks a primary key, the dedupe key's
/// primary key or `dead_letters_seq`.
extension SQLiteEventStore {
    /// The ``EventPageQuery/scanWindow`` when a query names none: on this
    /// machine's 2 cores, ~1 KiB events, about 20 ms from a warm cache and 70
    /// from a cold one (bench/console_queries.sh).
    public static let defaultScanWindow: Int64 = 25_000

    public func eventPage(_ query: EventPageQuery) async throws(StoreError) -> EventPage {
        try await reading("read a page of events") { db in try Self.eventPage(query, in: db) }
    }

    public func deadLetters(forSeq seq: Int64) async throws(StoreError) -> [DeadLetter] {
        try await reading("read the dead letters of event \(seq)") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.deadLetterColumns) FROM dead_letters WHERE seq = ? ORDER BY id",
                             arguments: [seq]).map(DeadLetter.init(row:))
        }
    }

    static func eventPage(_ query: EventPageQuery, in db: Database) throws -> EventPage {
        var plan = EventPagePlan(query, defaultScanWindow: defaultScanWindow)
        while let bound = plan.unsettledUpper { plan.settle(newest: try newestSeq(below: bound, plan: plan, in: db)) }
        if var bisection = plan.bisection {
            while let probe = bisection.nextProbe {
                let row = try Row.fetchOne(db, sql: "SELECT seq, received_at FROM events WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT 1",
                                           arguments: [probe.lowerBound, probe.upperBound])
                bisection.record(seq: row?[0], receivedAtMicros: row?[1])
            }
            plan.jump(to: bisection)
            while let bound = plan.unsettledUpper { plan.settle(newest: try newestSeq(below: bound, plan: plan, in: db)) }
        }
        if let window = plan.unsizedWindow {
            plan.sizeWindow(lowest: try Int64.fetchOne(db, sql: """
                SELECT DISTINCT seq FROM dead_letters WHERE seq < ? AND seq >= ? ORDER BY seq DESC LIMIT 1 OFFSET ?
                """, arguments: [window.below, plan.floor, window.count - 1]))
        }
        var scan = plan.firstScan
        if case .lookup(let id, let source) = scan {
            scan = plan.afterLookup(try dedupeSeqs(id: id, source: source, in: db))
        }
        let rows = try summaries(scan, plan: plan, in: db)
        let older = try plan.olderBound(after: scan, rowCount: rows.count).flatMap { bound in try newestSeq(below: bound, plan: plan, in: db) }
        return plan.page(after: scan, rows: rows, olderSeq: older)
    }

    /// The highest seq of the plan's driver below `bound` and at or above its floor.
    static func newestSeq(below bound: Int64, plan: EventPagePlan, in db: Database) throws -> Int64? {
        let table = plan.driver == .events ? "events" : "dead_letters"
        return try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM \(table) WHERE seq < ? AND seq >= ?", arguments: [bound, plan.floor])
    }

    /// The stored events the dedupe index names under `id` (a key outlives
    /// its event when retention prunes first): of `source`, or of every
    /// source, found by skipping from one source to the next in the index
    /// (one seek per source, not a scan of every key).
    static func dedupeSeqs(id: String, source: String?, in db: Database) throws -> [Int64] {
        if let source {
            return try Int64.fetchAll(db, sql: """
                SELECT d.seq FROM dedupe d JOIN events e ON e.seq = d.seq WHERE d.source = ? AND d.key = ?
                """, arguments: [source, id])
        }
        return try Int64.fetchAll(db, sql: """
            WITH RECURSIVE sources(name) AS (
                SELECT MIN(source) FROM dedupe
                UNION ALL
                SELECT (SELECT MIN(source) FROM dedupe WHERE source > name) FROM sources WHERE name IS NOT NULL
            )
            SELECT d.seq FROM sources JOIN dedupe d ON d.source = sources.name AND d.key = ?
            JOIN events e ON e.seq = d.seq
            """, arguments: [id])
    }

    /// The rows of `scan` that meet the plan's conditions, newest first, at most limit + 1.
    static func summaries(_ scan: EventPagePlan.Scan, plan: EventPagePlan, in db: Database) throws -> [EventSummary] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        switch scan {
        case .nothing, .lookup:
            return []
        case .range(let range) where plan.driver == .events:
            clauses.append("seq BETWEEN ? AND ?")
            arguments += [range.lowerBound, range.upperBound]
        case .range(let range):
            clauses.append("seq IN (SELECT seq FROM dead_letters WHERE seq BETWEEN ? AND ?)")
            arguments += [range.lowerBound, range.upperBound]
        case .seqs(let seqs):
            clauses.append("seq IN (\(seqs.map { _ in "?" }.joined(separator: ", ")))")
            arguments += StatementArguments(seqs)
        }
        for condition in plan.conditions {
            switch condition {
            case .source(let source):
                clauses.append("source = ?")
                arguments += [source]
            case .dedupeKey(let key):
                clauses.append("dedupe_key = ?")
                arguments += [key]
            case .receivedAtOrBefore(let instant):
                clauses.append("received_at <= ?")
                arguments += [instant]
            case .deadLettered(let wanted):
                clauses.append("\(wanted ? "" : "NOT ")EXISTS (SELECT 1 FROM dead_letters d WHERE d.seq = events.seq)")
            }
        }
        arguments += [plan.limit + 1]
        // length() of a BLOB reads its size from the record header, not the payload.
        return try Row.fetchAll(db, sql: """
            SELECT seq, source, dedupe_key, received_at, length(payload),
                   EXISTS (SELECT 1 FROM dead_letters d WHERE d.seq = events.seq)
            FROM events WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq DESC LIMIT ?
            """, arguments: arguments).map { row in
            EventSummary(seq: row[0], source: row[1], dedupeKey: row[2], receivedAtMicros: row[3], payloadBytes: row[4], deadLettered: row[5])
        }
    }
}
