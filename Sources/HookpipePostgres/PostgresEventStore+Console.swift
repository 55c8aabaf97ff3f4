public import HookpipeStore
import Logging
import PostgresNIO

/// The console's reads: pages of events (the same ``EventPagePlan`` as
/// SQLite's, its queries run one after another in one transaction under one
/// operation deadline) and an event's dead letters. Only sequenced events are
/// listed. Every query seeks or walks a primary key (`event_seq`, `events`,
/// `dedupe`) or `dead_letters`' unique `(seq, stage)`: schema migration 1
/// serves them all, and appends maintain nothing new.
extension PostgresEventStore {
    /// The ``EventPageQuery/scanWindow`` when a query names none: each event
    /// examined costs a join, several times what SQLite pays, so the window
    /// is smaller (bench/console_queries.sh).
    public static let defaultScanWindow: Int64 = 10_000

    /// The page's queries in one transaction, one snapshot, without JIT
    /// compilation (PostgreSQL would compile a window's scan, which costs
    /// more than it saves: 50 ms of 450 in the first run measured).
    public func eventPage(_ query: EventPageQuery) async throws(StoreError) -> EventPage {
        try await run("read a page of events") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.rows("SET LOCAL jit = off", logger: logger)
                return try await Self.eventPage(query, on: connection, logger: logger)
            }
        }
    }

    public func deadLetters(forSeq seq: Int64) async throws(StoreError) -> [DeadLetter] {
        try await run("read the dead letters of event \(seq)") { client, logger in
            try await Self.decodeDeadLetters(try await client.rows("""
                SELECT \(unescaped: Self.deadLetterColumns) FROM hookpipe.dead_letters WHERE seq = \(seq) ORDER BY id
                """, logger: logger))
        }
    }

    static func eventPage(_ query: EventPageQuery, on connection: PostgresConnection, logger: Logger) async throws -> EventPage {
        var plan = EventPagePlan(query, defaultScanWindow: defaultScanWindow)
        while let bound = plan.unsettledUpper {
            plan.settle(newest: try await newestSeq(below: bound, plan: plan, on: connection, logger: logger))
        }
        if var bisection = plan.bisection {
            while let probe = bisection.nextProbe {
                let rows = try await connection.rows("""
                    SELECT s.seq, e.received_at FROM hookpipe.event_seq s JOIN hookpipe.events e ON e.id = s.event_id
                    WHERE s.seq >= \(probe.lowerBound) AND s.seq < \(probe.upperBound) ORDER BY s.seq LIMIT 1
                    """, logger: logger)
                let found = try rows.first?.decode((Int64, Int64).self)
                bisection.record(seq: found?.0, receivedAtMicros: found?.1)
            }
            plan.jump(to: bisection)
            while let bound = plan.unsettledUpper {
                plan.settle(newest: try await newestSeq(below: bound, plan: plan, on: connection, logger: logger))
            }
        }
        if let window = plan.unsizedWindow {
            let rows = try await connection.rows("""
                SELECT DISTINCT seq FROM hookpipe.dead_letters WHERE seq < \(window.below) AND seq >= \(plan.floor)
                ORDER BY seq DESC LIMIT 1 OFFSET \(window.count - 1)
                """, logger: logger)
            plan.sizeWindow(lowest: try rows.first?.decode(Int64.self))
        }
        var scan = plan.firstScan
        if case .lookup(let id, let source) = scan {
            scan = plan.afterLookup(try await dedupeSeqs(id: id, source: source, on: connection, logger: logger))
        }
        let rows = try await summaries(scan, plan: plan, on: connection, logger: logger)
        var older: Int64?
        if let bound = plan.olderBound(after: scan, rowCount: rows.count) {
            older = try await newestSeq(below: bound, plan: plan, on: connection, logger: logger)
        }
        return plan.page(after: scan, rows: rows, olderSeq: older)
    }

    /// The highest seq of the plan's driver below `bound` and at or above its floor.
    static func newestSeq(below bound: Int64, plan: EventPagePlan, on connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        let table = plan.driver == .events ? "hookpipe.event_seq" : "hookpipe.dead_letters"
        let rows = try await connection.rows("""
            SELECT max(seq) FROM \(unescaped: table) WHERE seq < \(bound) AND seq >= \(plan.floor)
            """, logger: logger)
        return try rows.first?.decode(Int64?.self) ?? nil
    }

    /// The sequenced events the dedupe index holds under `id`: of `source`, or
    /// of every source, found by skipping from one source to the next in the
    /// primary key (one seek per source, not a scan of every key).
    static func dedupeSeqs(id: String, source: String?, on connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        let rows = if let source {
            try await connection.rows("""
                SELECT s.seq FROM hookpipe.dedupe d JOIN hookpipe.event_seq s ON s.event_id = d.event_id
                WHERE d.source = \(source) AND d.key = \(id)
                """, logger: logger)
        } else {
            try await connection.rows("""
                WITH RECURSIVE sources(name) AS (
                    SELECT min(source) FROM hookpipe.dedupe
                    UNION ALL
                    SELECT (SELECT min(source) FROM hookpipe.dedupe WHERE source > name) FROM sources WHERE name IS NOT NULL
                )
                SELECT s.seq FROM sources JOIN hookpipe.dedupe d ON d.source = sources.name AND d.key = \(id)
                JOIN hookpipe.event_seq s ON s.event_id = d.event_id
                """, logger: logger)
        }
        return try rows.map { try $0.decode(Int64.self) }
    }

    /// The rows of `scan` that meet the plan's conditions, newest first, at most limit + 1.
    static func summaries(_ scan: EventPagePlan.Scan, plan: EventPagePlan, on connection: PostgresConnection,
                          logger: Logger) async throws -> [EventSummary] {
        var bindings = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var clauses: [String] = []
        switch scan {
        case .nothing, .lookup:
            return []
        case .range(let range) where plan.driver == .events:
            clauses.append("s.seq BETWEEN \(bind(range.lowerBound)) AND \(bind(range.upperBound))")
        case .range(let range):
            clauses.append("s.seq IN (SELECT d.seq FROM hookpipe.dead_letters d WHERE d.seq BETWEEN \(bind(range.lowerBound)) AND \(bind(range.upperBound)))")
        case .seqs(let seqs):
            clauses.append("s.seq = ANY(\(bind(seqs)))")
        }
        for condition in plan.conditions {
            switch condition {
            case .source(let source): clauses.append("e.source = \(bind(source))")
            case .dedupeKey(let key): clauses.append("e.dedupe_key = \(bind(key))")
            case .receivedAtOrBefore(let instant): clauses.append("e.received_at <= \(bind(instant))")
            case .deadLettered(let wanted):
                clauses.append("\(wanted ? "" : "NOT ")EXISTS (SELECT 1 FROM hookpipe.dead_letters d WHERE d.seq = s.seq)")
            }
        }
        let limit = bind(Int64(plan.limit + 1))
        // octet_length() of a (possibly TOASTed) bytea reads its size, not the payload.
        let sql = """
            SELECT s.seq, e.source, e.dedupe_key, e.received_at, octet_length(e.payload),
                   EXISTS (SELECT 1 FROM hookpipe.dead_letters d WHERE d.seq = s.seq)
            FROM hookpipe.event_seq s JOIN hookpipe.events e ON e.id = s.event_id
            WHERE \(clauses.joined(separator: " AND ")) ORDER BY s.seq DESC LIMIT \(limit)
            """
        return try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).map { row in
            let (seq, source, key, received, bytes, deadLettered) = try row.decode((Int64, String, String, Int64, Int32, Bool).self)
            return EventSummary(seq: seq, source: source, dedupeKey: key, receivedAtMicros: received, payloadBytes: Int(bytes),
                                deadLettered: deadLettered)
        }
    }
}
