import Foundation
import HookpipeStore
import Logging
import PostgresScratch
import Testing
@testable import HookpipePostgres

/// The console's reads against a real PostgreSQL, page for page the same as
/// the SQLite store's (HookpipeStoreTests checks those against a model)
/// given the same events, dead letters and checkpoint.
@Suite("PostgreSQL event store: console pages")
struct PostgresEventStoreConsoleTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// The same appends, dead letters, checkpoint and pruning in both stores.
    struct Pair {
        let postgres: PostgresEventStore
        let sqlite: SQLiteEventStore
        let directory: String

        static func open() async throws -> Pair {
            let postgres = try await PostgresEventStoreTests.open(try PostgresScratch.shared.makeDatabase())
            let lease = try #require(postgres.chainLease)
            _ = try await lease.acquire()
            let directory = NSTemporaryDirectory() + "hookpipe-console-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return Pair(postgres: postgres, sqlite: try SQLiteEventStore(path: directory + "/db.sqlite", logger: logger), directory: directory)
        }

        /// Appends to both, in order; waits until PostgreSQL numbered everything.
        func append(_ events: [(source: String, key: String, received: Int64)], window: Duration = .seconds(3600)) async throws {
            let incoming = events.map { event in
                IncomingEvent(source: event.source, dedupeKey: event.key, dedupeWindow: window, receivedAtMicros: event.received,
                              metadata: Array(#"{"id":"\#(event.key)"}"#.utf8), payload: Array(#"{"k":"\#(event.key)"}"#.utf8))
            }
            _ = try await postgres.append(contentsOf: incoming)
            _ = try await sqlite.append(contentsOf: incoming)
            let last = try await sqlite.lastSequence()
            let end = ContinuousClock.now + .seconds(30)
            while try await postgres.lastSequence() < last, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await postgres.lastSequence() == last)
        }

        func deadLetter(_ seq: Int64, stage: String = "s") async throws {
            let letter = DeadLetter(seq: seq, stage: stage, reason: "exit 3", stderrTail: ["x"], line: [1], createdAtMicros: 5)
            _ = try await postgres.addDeadLetter(letter)
            _ = try await sqlite.addDeadLetter(letter)
        }

        /// Every page of `query` from both stores.
        func pages(_ query: EventPageQuery) async throws -> (postgres: [EventPage], sqlite: [EventPage]) {
            func all(_ store: any EventStore) async throws -> [EventPage] {
                var pages: [EventPage] = []
                var next: EventPageQuery? = query
                while let current = next, pages.count < 1000 {
                    let page = try await store.eventPage(current)
                    pages.append(page)
                    next = current.next(after: page)
                }
                return pages
            }
            return (try await all(postgres), try await all(sqlite))
        }

        func close() async {
            await postgres.close()
            await sqlite.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("an empty store: no events, no cursor, nothing searched")
    func emptyStore() async throws {
        let pair = try await Pair.open()
        let empty = EventPage(events: [], nextBeforeSeq: nil, scanned: nil)
        for query in [EventPageQuery(), EventPageQuery(source: "a", id: "x", receivedAtOrBeforeMicros: 5, outcome: .delivered),
                      EventPageQuery(outcome: .deadLettered), EventPageQuery(id: "x")] {
            #expect(try await pair.postgres.eventPage(query) == empty)
        }
        #expect(try await pair.postgres.deadLetters(forSeq: 1) == [])
        await pair.close()
    }

    @Test("filters alone and combined, ids, times out of order, outcomes, a pruned stretch, dead letters by seq: as on SQLite")
    func sameAsSQLite() async throws {
        let pair = try await Pair.open()
        var batch: [(source: String, key: String, received: Int64)] = []
        for index in 0..<300 {
            let source = index == 40 || index == 260 ? "rare" : index % 3 == 0 ? "a" : "b"
            batch.append((source: source, key: index % 97 == 0 ? "shared" : "k\(index)", received: Int64(index) * 1_000_000_000))
        }
        batch[201].received = 199_500_000_000  // half a second before the one numbered before it
        try await pair.append(batch)
        try await pair.append([(source: "a", key: "again", received: 300_000_000_000)], window: .microseconds(1))
        try await Task.sleep(for: .milliseconds(5))
        try await pair.append([(source: "a", key: "again", received: 301_000_000_000), (source: "a", key: "k5", received: 302_000_000_000)])
        for seq in stride(from: Int64(7), through: 290, by: 23) { try await pair.deadLetter(seq) }
        try await pair.deadLetter(30, stage: "other")
        try await pair.postgres.saveCheckpoint("chain", seq: 250)
        try await pair.sqlite.saveCheckpoint("chain", seq: 250)
        let pruned = try await pair.postgres.prune(receivedBefore: 60_000_000_000, upTo: 200)
        #expect(try await pair.sqlite.prune(receivedBefore: 60_000_000_000, upTo: 200) == pruned)
        #expect(pruned > 50)
        let outcomes: [EventPageQuery.Outcome?] = [nil] + EventPageQuery.Outcome.allCases
        for source in [nil, "a", "rare"] as [String?] {
            for id in [nil, "shared", "k250", "k5", "again"] as [String?] {
                for time in [nil, 199_800_000_000] as [Int64?] {
                    for outcome in outcomes {
                        for window in outcome == .deadLettered ? [30, 3] : [30] as [Int64] {
                            let query = EventPageQuery(source: source, id: id, receivedAtOrBeforeMicros: time, outcome: outcome,
                                                       checkpoint: 250, limit: 4, scanWindow: window)
                            let (postgres, sqlite) = try await pair.pages(query)
                            #expect(postgres == sqlite, "\(query)")
                        }
                    }
                }
            }
        }
        for seq in [7, 30, 31, 283] as [Int64] {
            #expect(try await pair.postgres.deadLetters(forSeq: seq) == pair.sqlite.deadLetters(forSeq: seq))
        }
        #expect(try await pair.postgres.deadLetters(forSeq: 30).map(\.stage) == ["s", "other"])
        let (postgres, _) = try await pair.pages(EventPageQuery(limit: 200, scanWindow: 1000))
        #expect(postgres.flatMap(\.events).count == Int(try await pair.sqlite.lastSequence()) - pruned, "every stored event once")
        await pair.close()
    }
}
