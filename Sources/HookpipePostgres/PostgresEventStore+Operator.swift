public import HookpipeStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Reads and edits for the operator's commands (`tail`, `replay`, `inject`,
/// `dlq`, `status`). Only sequenced events are listed: an event committed a
/// moment ago gets its seq at the holder's next sweep.
extension PostgresEventStore {
    public func appendEach(_ events: [IncomingEvent]) async -> [Result<AppendOutcome, StoreError>] {
        guard !events.isEmpty else { return [] }
        guard !readOnly else { return events.map { _ in .failure(StoreError(.unavailable, "the store was opened read-only")) } }
        // In order, one transaction per chunk: each chunk's ids (and so its
        // seqs, which follow (transaction, id)) come after the previous chunk's.
        var results: [Result<AppendOutcome, StoreError>] = []
        results.reserveCapacity(events.count)
        var start = 0
        while start < events.count {
            let chunk = Array(events[start..<min(events.count, start + settings.maxBatch)])
            do {
                let outcomes = try await run("commit \(chunk.count) event(s)") { client, logger in
                    try await Self.commit(chunk, client: client, logger: logger)
                }
                results += outcomes.map { .success($0) }
            } catch {
                results += chunk.map { _ in .failure(error) }
            }
            start += chunk.count
        }
        return results
    }

    public func events(matching filter: EventFilter, limit: Int, newestFirst: Bool) async throws(StoreError) -> [StoredEvent] {
        var bindings = PostgresBindings()
        var conditions: [String] = []
        func bound(_ clause: String, _ value: some PostgresNonThrowingEncodable) {
            bindings.append(value)
            conditions.append(clause.replacingOccurrences(of: "?", with: "$\(bindings.count)"))
        }
        if let value = filter.fromSeq { bound("s.seq >= ?", value) }
        if let value = filter.toSeq { bound("s.seq <= ?", value) }
        if let value = filter.source { bound("e.source = ?", value) }
        if let value = filter.dedupeKey { bound("e.dedupe_key = ?", value) }
        if let value = filter.receivedSinceMicros { bound("e.received_at >= ?", value) }
        bindings.append(Int64(limit))
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT \(Self.eventColumns) FROM hookpipe.event_seq s JOIN hookpipe.events e ON e.id = s.event_id\(whereClause)
            ORDER BY s.seq \(newestFirst ? "DESC" : "ASC") LIMIT $\(bindings.count)
            """
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let events = try await run("read events") { client, logger in
            try await Self.decodeEvents(try await client.rows(query, logger: logger))
        }
        return newestFirst ? events.reversed() : events
    }

    public func event(seq: Int64) async throws(StoreError) -> StoredEvent? {
        try await events(matching: EventFilter(fromSeq: seq, toSeq: seq), limit: 1, newestFirst: false).first
    }

    static let deadLetterColumns = "id, seq, stage, reason, stderr_tail, line, created_at"

    static func decodeDeadLetters(_ rows: [PostgresRow]) async throws -> [DeadLetter] {
        var letters: [DeadLetter] = []
        for row in rows {
            let (id, seq, stage, reason, tail, line, created) = try row.decode((Int64, Int64, String, String, String, ByteBuffer, Int64).self)
            letters.append(DeadLetter(id: id, seq: seq, stage: stage, reason: reason,
                                      stderrTail: tail.isEmpty ? [] : tail.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                                      line: Array(line.readableBytesView), createdAtMicros: created))
        }
        return letters
    }

    public func deadLetters(after id: Int64, limit: Int) async throws(StoreError) -> [DeadLetter] {
        try await run("read dead letters") { client, logger in
            try await Self.decodeDeadLetters(try await client.rows("""
                SELECT \(unescaped: Self.deadLetterColumns) FROM hookpipe.dead_letters WHERE id > \(id) ORDER BY id LIMIT \(Int64(limit))
                """, logger: logger))
        }
    }

    public func deadLetter(id: Int64) async throws(StoreError) -> DeadLetter? {
        try await run("read dead letter \(id)") { client, logger in
            try await Self.decodeDeadLetters(try await client.rows("""
                SELECT \(unescaped: Self.deadLetterColumns) FROM hookpipe.dead_letters WHERE id = \(id)
                """, logger: logger)).first
        }
    }

    public func deadLetterCount() async throws(StoreError) -> Int {
        try await run("count dead letters") { client, logger in
            let rows = try await client.rows("SELECT count(*) FROM hookpipe.dead_letters", logger: logger)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    public func deleteDeadLetter(id: Int64) async throws(StoreError) -> Bool {
        try await run("delete dead letter \(id)") { client, logger in
            let rows = try await client.rows("DELETE FROM hookpipe.dead_letters WHERE id = \(id) RETURNING 1", logger: logger)
            if !rows.isEmpty { return true }
            return false
        }
    }

    /// The append and the letter's `DELETE` in one transaction; the letter is
    /// locked first, so two retries of one letter cannot both append.
    public func append(_ event: IncomingEvent, replacingDeadLetter id: Int64) async throws(StoreError) -> AppendOutcome? {
        try await run("retry dead letter \(id)") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.rows("DELETE FROM hookpipe.dead_letters WHERE id = \(id) RETURNING 1", logger: logger)
                guard !rows.isEmpty else { return nil }
                let (sources, keys) = ([event.source], [event.dedupeKey])
                let (received, windows) = ([event.receivedAtMicros], [event.dedupeWindow.microseconds])
                let (metadata, payloads) = ([ByteBuffer(bytes: event.metadata)], [ByteBuffer(bytes: event.payload)])
                let outcome = try await connection.rows(
                    "SELECT ord, stored, seq FROM hookpipe.append_batch(\(sources), \(keys), \(received), \(windows), \(metadata), \(payloads))",
                    logger: logger)
                for row in outcome {
                    let (_, stored, seq) = try row.decode((Int32, Bool, Int64?).self)
                    return stored ? AppendOutcome.stored(seq: nil) : .duplicate(seq: seq)
                }
                throw StoreError(.unavailable, "append_batch answered nothing")
            }
        }
    }
}
