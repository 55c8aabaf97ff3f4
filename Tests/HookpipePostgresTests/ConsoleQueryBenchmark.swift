import Foundation
import HookpipeStore
import Logging
import PostgresScratch
import Testing
@testable import HookpipePostgres

/// Not a test: bench/console_queries.sh runs it (HOOKPIPE_CONSOLE_BENCH=1)
/// to print how long console pages take with a million ~1 KiB events in
/// each store, the same events in both, each query timed on one store and
/// then the other. It asserts nothing about time: speed goals live in
/// benchmarks.
@Suite("Console query benchmark", .enabled(if: ProcessInfo.processInfo.environment["HOOKPIPE_CONSOLE_BENCH"] != nil))
struct ConsoleQueryBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let count = Int(environment["HOOKPIPE_CONSOLE_BENCH_EVENTS"] ?? "") ?? 1_000_000
    /// One event every 50 ms from here: a million span about 14 hours.
    static let start: Int64 = 1_750_000_000_000_000
    static let spacing: Int64 = 50_000
    static let pad = String(repeating: "x", count: 880)
    static let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("console pages on a million ~1 KiB events, SQLite and PostgreSQL")
    func pages() async throws {
        let directory = Self.environment["HOOKPIPE_CONSOLE_BENCH_DIR"] ?? NSTemporaryDirectory()
        let path = directory + "/console-bench-\(Self.count).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var started = ContinuousClock.now
        let sqlite = try SQLiteEventStore(path: path, maxBatch: 10_000, logger: Self.logger)
        try await Self.fill(sqlite)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("SQLite: \(Self.count) events through appendEach in \(started.duration(to: .now)), \(size / 1_048_576) MiB")
        started = ContinuousClock.now
        let url = try PostgresScratch.shared.makeDatabase()
        let postgres = try await PostgresEventStoreTests.open(url, role: .operatorCommand(readOnly: false), operationTimeout: .seconds(60))
        try Self.fill(database: PostgresScratch.databaseName(url))
        print("PostgreSQL: \(Self.count) events by INSERT … SELECT in \(started.duration(to: .now)) (shared_buffers 128MB)")
        let checkpoint = Int64(Self.count) - 2000
        let middle = Self.start + Int64(Self.count / 2) * Self.spacing
        print("""
            Warm caches; each query run once, then 7 times alternating stores: median (min–max) ms; `searched` is the page's seq range.
            | query | SQLite ms | PostgreSQL ms | events | searched (SQLite / PostgreSQL) |
            |---|---:|---:|---:|---|
            """)
        let queries: [(String, EventPageQuery)] = [
            ("first page", EventPageQuery(checkpoint: checkpoint)),
            ("page at seq 500,000", EventPageQuery(checkpoint: checkpoint, beforeSeq: 500_000)),
            ("source github (4 in 10)", EventPageQuery(source: "github", checkpoint: checkpoint)),
            ("rare source (10 in 1M), default window", EventPageQuery(source: "rare", checkpoint: checkpoint)),
            ("rare source, window 10,000", EventPageQuery(source: "rare", checkpoint: checkpoint, scanWindow: 10_000)),
            ("rare source, window 25,000", EventPageQuery(source: "rare", checkpoint: checkpoint, scanWindow: 25_000)),
            ("rare source, window 50,000", EventPageQuery(source: "rare", checkpoint: checkpoint, scanWindow: 50_000)),
            ("rare source, window 100,000", EventPageQuery(source: "rare", checkpoint: checkpoint, scanWindow: 100_000)),
            ("id with its source", EventPageQuery(source: "stripe", id: "evt_\(Self.count / 3)", checkpoint: checkpoint)),
            ("id in every source", EventPageQuery(id: "evt_\(Self.count / 3)", checkpoint: checkpoint)),
            ("id not in the index (a window)", EventPageQuery(id: "evt_none", checkpoint: checkpoint)),
            ("time: jump to the middle", EventPageQuery(receivedAtOrBeforeMicros: middle, checkpoint: checkpoint)),
            ("time and source github", EventPageQuery(source: "github", receivedAtOrBeforeMicros: middle, checkpoint: checkpoint)),
            ("pending", EventPageQuery(outcome: .pending, checkpoint: checkpoint)),
            ("delivered", EventPageQuery(outcome: .delivered, checkpoint: checkpoint)),
            ("dead-lettered (100 in 1M)", EventPageQuery(outcome: .deadLettered, checkpoint: checkpoint)),
            ("limit 200", EventPageQuery(checkpoint: checkpoint, limit: 200)),
        ]
        for (name, query) in queries {
            var samples: [[Duration]] = [[], []]
            var pages: [EventPage] = []
            for round in 0..<8 {
                for (index, store) in [sqlite, postgres as any EventStore].enumerated() {
                    let started = ContinuousClock.now
                    let page = try await store.eventPage(query)
                    if round > 0 { samples[index].append(started.duration(to: .now)) } else { pages.append(page) }
                }
            }
            let searched = pages.map { $0.scanned.map { "\($0.lowerBound)–\($0.upperBound)" } ?? "-" }.joined(separator: " / ")
            print("| \(name) | \(Self.summary(samples[0])) | \(Self.summary(samples[1])) | \(pages[0].events.count) | \(searched) |")
        }
        // The first walk reads most of the journal for the first time since it was written.
        let walks: [(String, any EventStore, Duration?)] = [
            ("SQLite", sqlite, nil), ("SQLite", sqlite, nil), ("SQLite", sqlite, .milliseconds(150)),
            ("PostgreSQL", postgres, nil), ("PostgreSQL", postgres, nil), ("PostgreSQL", postgres, .milliseconds(150)),
        ]
        for (name, store, budget) in walks {
            var query: EventPageQuery? = EventPageQuery(source: "rare", checkpoint: checkpoint)
            var (samples, found) = ([Duration](), 0)
            while let current = query {
                started = ContinuousClock.now
                let page = if let budget { try await store.eventPage(current, within: budget) } else { try await store.eventPage(current) }
                samples.append(started.duration(to: .now))
                found += page.events.count
                query = current.next(after: page)
            }
            let how = budget.map { "pages within \($0)" } ?? "one window a page"
            print("\(name): the rare source to the end, \(how): \(found) events in \(samples.count) requests, each \(Self.summary(samples)) ms")
        }
        for (index, store) in [sqlite, postgres as any EventStore].enumerated() {
            started = ContinuousClock.now
            let letters = try await store.deadLetters(forSeq: 10_000)
            print("\(index == 0 ? "SQLite" : "PostgreSQL"): deadLetters(forSeq:) \(letters.count) in \(Self.summary([started.duration(to: .now)])) ms")
        }
        await sqlite.close()
        await postgres.close()
    }

    /// `median (min–max)` in milliseconds.
    static func summary(_ samples: [Duration]) -> String {
        let sorted = samples.sorted().map { duration in
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        return sorted.count == 1 ? sorted[0] : "\(sorted[sorted.count / 2]) (\(sorted[0])–\(sorted[sorted.count - 1]))"
    }

    static func source(_ index: Int) -> String {
        index % (count / 10) == 7 ? "rare" : index % 10 < 6 ? "stripe" : "github"
    }

    /// Through ``EventStore/appendEach(_:)``, 50,000 per call: stripe 6 in
    /// 10, github 4 in 10, "rare" ten times in all; a dead letter every 10,000.
    static func fill(_ store: SQLiteEventStore) async throws {
        for first in stride(from: 1, through: count, by: 50_000) {
            let events = (first..<min(count + 1, first + 50_000)).map { index in
                IncomingEvent(source: source(index), dedupeKey: "evt_\(index)", dedupeWindow: .seconds(7 * 86_400),
                              receivedAtMicros: start + Int64(index) * spacing,
                              metadata: Array(#"{"id":"evt_\#(index)"}"#.utf8),
                              payload: Array(#"{"id":"evt_\#(index)","type":"payment","amount":\#(index),"note":"\#(pad)"}"#.utf8))
            }
            _ = try await store.append(contentsOf: events)
        }
        for seq in stride(from: Int64(10_000), through: Int64(count), by: 10_000) {
            _ = try await store.addDeadLetter(DeadLetter(seq: seq, stage: "enrich", reason: "exit 3", stderrTail: ["boom"], line: [1],
                                                         createdAtMicros: start))
        }
    }

    /// The same events written straight into the tables, numbered as the
    /// sequencer would have (`event_seq`, `last_seq` and its cursor), with
    /// their dedupe keys and dead letters; then `VACUUM ANALYZE`.
    static func fill(database: String) throws {
        let rare = count / 10
        try PostgresScratch.shared.psql("""
            INSERT INTO hookpipe.events (id, source, dedupe_key, received_at, metadata, payload)
            SELECT i, CASE WHEN i % \(rare) = 7 THEN 'rare' WHEN i % 10 < 6 THEN 'stripe' ELSE 'github' END, 'evt_' || i,
                   \(start) + i * \(spacing), convert_to('{"id":"evt_' || i || '"}', 'UTF8'),
                   convert_to('{"id":"evt_' || i || '","type":"payment","amount":' || i || ',"note":"\(pad)"}', 'UTF8')
            FROM generate_series(1::bigint, \(count)::bigint) i;
            INSERT INTO hookpipe.event_seq (seq, event_id) SELECT id, id FROM hookpipe.events;
            INSERT INTO hookpipe.dedupe (source, key, event_id, expires_at)
            SELECT source, dedupe_key, id, now() + interval '7 days' FROM hookpipe.events;
            SELECT setval('hookpipe.events_id_seq', \(count));
            UPDATE hookpipe.chain_lease SET last_seq = \(count), seq_tx = (SELECT max(tx) FROM hookpipe.events), seq_id = \(count);
            INSERT INTO hookpipe.dead_letters (seq, stage, reason, stderr_tail, line, created_at, epoch)
            SELECT s, 'enrich', 'exit 3', 'boom', '\\x01', \(start), 0 FROM generate_series(10000, \(count), 10000) s;
            """, database: database)
        try PostgresScratch.shared.psql("VACUUM ANALYZE", database: database)
    }
}
