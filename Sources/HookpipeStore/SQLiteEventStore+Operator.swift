import Foundation
import GRDB
import HookpipeSync

/// Reads and edits for the operator's commands. They run in their own
/// process next to the daemon: SQLite (WAL) lets readers and the two
/// processes' writers share the file, and every write is an `IMMEDIATE`
/// transaction that waits (busy timeout) for the other process's commit.
/// Nothing about sequence numbers or dedupe keys is kept in memory: both
/// are read inside the writing transaction, so appends from several
/// processes stay deduplicated and numbered in commit order.
extension SQLiteEventStore {
    static let eventColumns = "seq, source, dedupe_key, received_at, metadata, payload"
    static let deadLetterColumns = "id, seq, stage, reason, stderr_tail, line, created_at"

    public func appendEach(_ events: [IncomingEvent]) async -> [Result<AppendOutcome, StoreError>] {
        guard !events.isEmpty else { return [] }
        let results = Locked<[Result<AppendOutcome, StoreError>?]>(Array(repeating: nil, count: events.count))
        let remaining = Locked(events.count)
        // One writer thread, first in first out: the order given is the commit order.
        let outcomes = await withCheckedContinuation { (continuation: CheckedContinuation<[Result<AppendOutcome, StoreError>?], Never>) in
            for (index, event) in events.enumerated() {
                queue.enqueue(event) { result in
                    results.withLock { $0[index] = result }
                    let last = remaining.withLock { count -> Bool in
                        count -= 1
                        return count == 0
                    }
                    if last { continuation.resume(returning: results.withLock { $0 }) }
                }
            }
        }
        // The writer ran every completion (a committed batch's and a failed one's) before the last one resumed us.
        return outcomes.map { $0! }
    }

    public func events(matching filter: EventFilter, limit: Int, newestFirst: Bool) async throws(StoreError) -> [StoredEvent] {
        let bounds: [(clause: String, value: (any DatabaseValueConvertible)?)] = [
            ("seq >= ?", filter.fromSeq), ("seq <= ?", filter.toSeq), ("source = ?", filter.source),
            ("dedupe_key = ?", filter.dedupeKey), ("received_at >= ?", filter.receivedSinceMicros),
        ]
        var conditions: [String] = []
        var arguments: StatementArguments = []
        for (clause, value) in bounds {
            guard let value else { continue }
            conditions.append(clause)
            arguments += [value]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.eventColumns) FROM events\(whereClause) ORDER BY seq \(newestFirst ? "DESC" : "ASC") LIMIT ?"
        arguments += [limit]
        let events = try await reading("read events") { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(StoredEvent.init(row:))
        }
        return newestFirst ? events.reversed() : events
    }

    public func event(seq: Int64) async throws(StoreError) -> StoredEvent? {
        try await reading("read event \(seq)") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.eventColumns) FROM events WHERE seq = ?", arguments: [seq]).map(StoredEvent.init(row:))
        }
    }

    public func deadLetters(after id: Int64, limit: Int) async throws(StoreError) -> [DeadLetter] {
        try await reading("read dead letters") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.deadLetterColumns) FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?",
                             arguments: [id, limit]).map(DeadLetter.init(row:))
        }
    }

    public func deadLetter(id: Int64) async throws(StoreError) -> DeadLetter? {
        try await reading("read dead letter \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.deadLetterColumns) FROM dead_letters WHERE id = ?", arguments: [id]).map(DeadLetter.init(row:))
        }
    }

    public func deadLetterCount() async throws(StoreError) -> Int {
        try await reading("count dead letters") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters") ?? 0 }
    }

    public func deleteDeadLetter(id: Int64) async throws(StoreError) -> Bool {
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM dead_letters WHERE id = ?", arguments: [id])
                return db.changesCount > 0
            }
        } catch {
            throw StoreError.from(error, doing: "delete dead letter \(id)")
        }
    }

    public func append(_ event: IncomingEvent, replacingDeadLetter id: Int64) async throws(StoreError) -> AppendOutcome? {
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let outcome: AppendOutcome?
        do {
            // Not through the group-commit queue: its batches hold appends only.
            // GRDB runs this on the same writer connection, between its batches.
            outcome = try await pool.write { db -> AppendOutcome? in
                try db.execute(sql: "DELETE FROM dead_letters WHERE id = ?", arguments: [id])
                guard db.changesCount > 0 else { return nil }
                return try Self.appendRows([event], in: db, nowMicros: nowMicros)[0]
            }
        } catch {
            throw StoreError.from(error, doing: "store event \(event.dedupeKey) again in place of dead letter \(id)")
        }
        if let outcome { observers.notify([event], [outcome]) }
        return outcome
    }

    /// Runs `body` on a reader connection; a failure becomes a ``StoreError`` naming `action`.
    func reading<T: Sendable>(_ action: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError.from(error, doing: action)
        }
    }
}

extension StoredEvent {
    /// A row of ``SQLiteEventStore/eventColumns``.
    init(row: Row) {
        self.init(seq: row[0], source: row[1], dedupeKey: row[2], receivedAtMicros: row[3],
                  metadata: Array(row[4] as Data), payload: Array(row[5] as Data))
    }
}

extension DeadLetter {
    /// A row of ``SQLiteEventStore/deadLetterColumns``.
    init(row: Row) {
        let tail: String = row[4]
        self.init(id: row[0], seq: row[1], stage: row[2], reason: row[3],
                  stderrTail: tail.isEmpty ? [] : tail.components(separatedBy: "\n"),
                  line: Array(row[5] as Data), createdAtMicros: row[6])
    }
}
