import Foundation
import HookpipeStore
import Logging
import Testing

/// The console's reads on a real SQLite file: event pages and an event's dead letters.
@Suite("SQLiteEventStore: console pages")
struct SQLiteEventStoreConsoleTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A store in a fresh directory, and the model that mirrors what is appended to it.
    final class Journal {
        let directory: TemporaryDirectory
        var store: SQLiteEventStore
        var model = EventPageModel()
        let logger: Logger

        init(logger: Logger) throws {
            self.logger = logger
            directory = try TemporaryDirectory()
            store = try SQLiteEventStore(path: directory.path + "/db.sqlite", maxBatch: 4096, logger: logger)
        }

        /// Appends in one call; mirrors every stored event in the model.
        func append(_ events: [(source: String, key: String, received: Int64)], window: Duration = .seconds(3600)) async throws {
            let incoming = events.map { event in
                IncomingEvent(source: event.source, dedupeKey: event.key, dedupeWindow: window, receivedAtMicros: event.received,
                              metadata: Array(#"{"id":"\#(event.key)"}"#.utf8), payload: Array(#"{"k":"\#(event.key)"}"#.utf8))
            }
            for (event, outcome) in zip(incoming, try await store.append(contentsOf: incoming)) {
                guard case .stored(let seq?) = outcome else { continue }
                model.append(event.source, event.dedupeKey, receivedAtMicros: event.receivedAtMicros, seq: seq, payloadBytes: event.payload.count)
            }
        }

        func deadLetter(_ seq: Int64, stage: String = "s") async throws {
            _ = try await store.addDeadLetter(DeadLetter(seq: seq, stage: stage, reason: "exit 3", stderrTail: ["x"], line: [1],
                                                         createdAtMicros: 5))
            model.deadLettered.insert(seq)
        }

        /// Every page from the newest to the end, from the store.
        func allPages(_ query: EventPageQuery) async throws -> [EventPage] {
            var pages: [EventPage] = []
            var next: EventPageQuery? = query
            while let current = next {
                let page = try await store.eventPage(current)
                pages.append(page)
                next = current.next(after: page)
                if pages.count > 10_000 { Issue.record("no end after 10,000 pages"); break }
            }
            return pages
        }

        func seqs(_ query: EventPageQuery) async throws -> [Int64] {
            try await allPages(query).flatMap(\.events).map(\.seq)
        }

        func close() async {
            await store.close()
            directory.remove()
        }
    }

    @Test("an empty store: no events, no cursor, nothing searched, whatever the filter")
    func emptyStore() async throws {
        let journal = try Journal(logger: logger)
        let empty = EventPage(events: [], nextBeforeSeq: nil, scanned: nil)
        for query in [EventPageQuery(), EventPageQuery(source: "a", id: "x", receivedAtOrBeforeMicros: 5, outcome: .delivered),
                      EventPageQuery(outcome: .deadLettered), EventPageQuery(id: "x"), EventPageQuery(beforeSeq: 100)] {
            #expect(try await journal.store.eventPage(query) == empty)
        }
        #expect(try await journal.store.deadLetters(forSeq: 1) == [])
        await journal.close()
    }

    @Test("filters alone and combined: source, id, time, outcome")
    func filters() async throws {
        let journal = try Journal(logger: logger)
        try await journal.append((1...10).map { (source: $0.isMultiple(of: 2) ? "github" : "stripe", key: "k\($0)", received: Int64($0) * 1_000_000_000) })
        try await journal.deadLetter(3)
        try await journal.deadLetter(8)
        func seqs(_ query: EventPageQuery) async throws -> [Int64] {
            try await journal.seqs(EventPageQuery(source: query.source, id: query.id, receivedAtOrBeforeMicros: query.receivedAtOrBeforeMicros,
                                                  outcome: query.outcome, checkpoint: 6))
        }
        #expect(try await seqs(EventPageQuery()) == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(try await seqs(EventPageQuery(source: "github")) == [10, 8, 6, 4, 2])
        #expect(try await seqs(EventPageQuery(id: "k3")) == [3])
        #expect(try await seqs(EventPageQuery(source: "github", id: "k3")) == [])
        #expect(try await seqs(EventPageQuery(receivedAtOrBeforeMicros: 4_500_000_000)) == [4, 3, 2, 1])
        #expect(try await seqs(EventPageQuery(outcome: .pending)) == [10, 9, 7])
        #expect(try await seqs(EventPageQuery(outcome: .delivered)) == [6, 5, 4, 2, 1])
        #expect(try await seqs(EventPageQuery(outcome: .deadLettered)) == [8, 3])
        #expect(try await seqs(EventPageQuery(source: "stripe", receivedAtOrBeforeMicros: 7_000_000_000, outcome: .delivered)) == [5, 1])
        #expect(try await seqs(EventPageQuery(source: "github", outcome: .deadLettered)) == [8])
        #expect(try await seqs(EventPageQuery(id: "k8", outcome: .deadLettered)) == [8])
        #expect(try await seqs(EventPageQuery(id: "k8", outcome: .pending)) == [])
        let page = try await journal.store.eventPage(EventPageQuery(limit: 3))
        #expect(page.events.map(\.seq) == [10, 9, 8])
        #expect(page.events[2] == EventSummary(seq: 8, source: "github", dedupeKey: "k8", receivedAtMicros: 8_000_000_000,
                                               payloadBytes: #"{"k":"k8"}"#.utf8.count, deadLettered: true))
        #expect(page.nextBeforeSeq == 8)
        #expect(page.scanned == 8...10)
        await journal.close()
    }

    @Test("page by page the same as the model: every selected event once, in order, each page within its window")
    func pagesMatchTheModel() async throws {
        let journal = try Journal(logger: logger)
        var batch: [(source: String, key: String, received: Int64)] = []
        for index in 0..<400 {
            let source = index == 60 || index == 340 ? "rare" : index % 3 == 0 ? "a" : "b"
            batch.append((source: source, key: index % 97 == 0 ? "shared" : "k\(index)", received: Int64(index) * 1_000_000_000))
        }
        try await journal.append(batch)
        for seq in stride(from: Int64(7), through: 400, by: 23) { try await journal.deadLetter(seq) }
        try await journal.deadLetter(30, stage: "other")
        // A pruned stretch: settled events received before 100 s, except dead-lettered ones.
        let pruned = try await journal.store.prune(receivedBefore: 100_000_000_000, upTo: 200)
        let kept = journal.model.deadLettered
        journal.model.events.removeAll { $0.receivedAtMicros < 100_000_000_000 && !kept.contains($0.seq) }
        #expect(pruned > 90)
        let outcomes: [EventPageQuery.Outcome?] = [nil] + EventPageQuery.Outcome.allCases
        for source in [nil, "a", "rare"] as [String?] {
            for id in [nil, "shared", "k250", "k5"] as [String?] {
                for time in [nil, 250_000_000_000] as [Int64?] {
                    for outcome in outcomes {
                        let query = EventPageQuery(source: source, id: id, receivedAtOrBeforeMicros: time, outcome: outcome,
                                                   checkpoint: 300, limit: 4, scanWindow: 30)
                        let pages = try await journal.allPages(query)
                        #expect(pages == journal.model.allPages(query), "\(query)")
                        #expect(pages.flatMap(\.events) == journal.model.expected(query), "\(query)")
                    }
                }
            }
        }
        await journal.close()
    }

    @Test("a rare source: each page searches one window below the last, the cursor skips to the next event; within a budget, windows join")
    func rareSource() async throws {
        let journal = try Journal(logger: logger)
        try await journal.append((1...5000).map { (source: $0 == 3 || $0 == 4000 ? "rare" : "busy", key: "k\($0)", received: Int64($0)) })
        let pages = try await journal.allPages(EventPageQuery(source: "rare", scanWindow: 1000))
        #expect(pages.map { $0.events.map(\.seq) } == [[], [4000], [], [], [3]])
        #expect(pages.map(\.scanned) == [4001...5000, 3001...4000, 2001...3000, 1001...2000, 1...1000])
        #expect(pages.map(\.nextBeforeSeq) == [4001, 3001, 2001, 1001, nil])
        // An hour: in a whole-suite run this task can wait more than 30 s for a
        // cooperative-pool thread between two windows (seen once).
        let budgeted = try await journal.store.eventPage(EventPageQuery(source: "rare", scanWindow: 1000), within: .seconds(3600))
        #expect(budgeted == EventPage(events: pages.flatMap(\.events), nextBeforeSeq: nil, scanned: 1...5000), "windows joined within a budget")
        let one = try await journal.store.eventPage(EventPageQuery(source: "rare", scanWindow: 1000), within: .zero)
        #expect(one == pages[0], "a budget spent: one window")
        await journal.close()
    }

    @Test("an id: found through the dedupe index, in every source; a key stored again and ids past their window are found by scanning")
    func idLookup() async throws {
        let journal = try Journal(logger: logger)
        // Forgotten: its window ends at once, and the next store's first commit prunes expired keys.
        try await journal.append([(source: "a", key: "forgotten", received: 1)], window: .microseconds(1))
        await journal.store.close()
        journal.store = try SQLiteEventStore(path: journal.directory.path + "/db.sqlite", logger: logger)
        try await journal.append((2...3000).map { (source: "a", key: "k\($0)", received: Int64($0)) })
        try await journal.append([(source: "a", key: "again", received: 3001)], window: .microseconds(1))
        try await journal.append([(source: "b", key: "k10", received: 3002), (source: "a", key: "again", received: 3003)])
        let both = try await journal.store.eventPage(EventPageQuery(id: "k10", scanWindow: 100))
        #expect(both.events.map(\.source) == ["b", "a"])
        #expect(both.events.map(\.seq) == [3002, 10])
        #expect(both.scanned == 10...3003)
        #expect(both.nextBeforeSeq == 10)
        #expect(try await journal.store.eventPage(EventPageQuery(source: "b", id: "k10")).events.map(\.seq) == [3002])
        #expect(try await journal.seqs(EventPageQuery(id: "k10", scanWindow: 100)) == [3002, 10])
        #expect(try await journal.store.eventPage(EventPageQuery(id: "again")).events.map(\.seq) == [3003], "the index names the newest")
        #expect(try await journal.seqs(EventPageQuery(id: "again", scanWindow: 100)) == [3003, 3001])
        let forgotten = try await journal.allPages(EventPageQuery(id: "forgotten", scanWindow: 1000))
        #expect(forgotten.flatMap(\.events).map(\.seq) == [1])
        #expect(forgotten.count == 4, "found by scanning, one window per page")
        #expect(try await journal.store.eventPage(EventPageQuery(id: "never")).events.isEmpty)
        await journal.close()
    }

    @Test("a time: the page starts near it; received_at out of order by less than the slack is still found")
    func timeJump() async throws {
        let journal = try Journal(logger: logger)
        var batch = (1...1000).map { (source: "a", key: "k\($0)", received: Int64($0) * 10_000_000) }
        batch[500].received = 5_000_500_000  // seq 501: 5,000.5 s, half a second after seq 500
        batch[501].received = 4_999_500_000  // seq 502: 4,999.5 s, before seq 500 (5,000 s)
        batch[9].received = 90_000_000_000   // seq 10: a clock far ahead
        try await journal.append(batch)
        let query = EventPageQuery(receivedAtOrBeforeMicros: 4_999_700_000, limit: 10, scanWindow: 100)
        let first = try await journal.store.eventPage(query)
        #expect(first.events.map(\.seq) == [502, 499, 498, 497, 496, 495, 494, 493, 492, 491])
        #expect(first.scanned == 491...502)
        let all = try await journal.seqs(query)
        #expect(all == [502] + (1...499).reversed().filter { $0 != 10 })
        #expect(try await journal.store.eventPage(EventPageQuery(receivedAtOrBeforeMicros: 5)).events.isEmpty)
        #expect(try await journal.store.eventPage(EventPageQuery(receivedAtOrBeforeMicros: 5)).nextBeforeSeq == nil)
        #expect(try await journal.store.eventPage(EventPageQuery(receivedAtOrBeforeMicros: .max, limit: 1)).events.map(\.seq) == [1000])
        await journal.close()
    }

    @Test("dead-lettered: a window holds a number of dead-lettered events, however far apart; two stages' letters count once")
    func deadLetteredWindows() async throws {
        let journal = try Journal(logger: logger)
        try await journal.append((1...100).map { (source: "a", key: "k\($0)", received: Int64($0)) })
        for seq in [10, 20, 30, 40, 50, 90] as [Int64] { try await journal.deadLetter(seq) }
        try await journal.deadLetter(30, stage: "other")
        let pages = try await journal.allPages(EventPageQuery(outcome: .deadLettered, scanWindow: 3))
        #expect(pages.map { $0.events.map(\.seq) } == [[90, 50, 40], [30, 20, 10]])
        #expect(pages.map(\.scanned) == [40...90, 10...30])
        #expect(pages.map(\.nextBeforeSeq) == [31, nil])
        await journal.close()
    }

    @Test("limit and window clamps hold against the store")
    func clamps() async throws {
        let journal = try Journal(logger: logger)
        try await journal.append((1...300).map { (source: "a", key: "k\($0)", received: Int64($0)) })
        let large = try await journal.store.eventPage(EventPageQuery(limit: 1000))
        #expect(large.events.count == 200)
        #expect(large.nextBeforeSeq == 101)
        let narrow = try await journal.store.eventPage(EventPageQuery(source: "none", scanWindow: 0))
        #expect(narrow.scanned == 300...300)
        #expect(narrow.nextBeforeSeq == 300)
        await journal.close()
    }

    @Test("an event's dead letters, oldest first")
    func deadLettersForSeq() async throws {
        let journal = try Journal(logger: logger)
        try await journal.append((1...5).map { (source: "a", key: "k\($0)", received: Int64($0)) })
        try await journal.deadLetter(3, stage: "enrich")
        try await journal.deadLetter(5, stage: "enrich")
        try await journal.deadLetter(3, stage: "ship")
        #expect(try await journal.store.deadLetters(forSeq: 3).map(\.stage) == ["enrich", "ship"])
        #expect(try await journal.store.deadLetters(forSeq: 5).map(\.seq) == [5])
        #expect(try await journal.store.deadLetters(forSeq: 4) == [])
        await journal.close()
    }
}
