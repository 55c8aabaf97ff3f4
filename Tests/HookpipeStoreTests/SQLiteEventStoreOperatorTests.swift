import Foundation
import HookpipeStore
import Logging
import Testing

/// The reads and edits behind `hookpipe tail`, `replay`, `inject` and `dlq`.
@Suite("SQLiteEventStore: operator access")
struct SQLiteEventStoreOperatorTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func event(_ key: String, source: String = "stripe", received: Int64 = 1_000) -> IncomingEvent {
        IncomingEvent(source: source, dedupeKey: key, dedupeWindow: .seconds(3600), receivedAtMicros: received,
                      metadata: Array(#"{"id":"\#(key)"}"#.utf8), payload: Array(#"{"k":"\#(key)"}"#.utf8))
    }

    func letter(seq: Int64, stage: String = "s") -> DeadLetter {
        DeadLetter(seq: seq, stage: stage, reason: "exit 3", stderrTail: ["a", "b"], line: Array(#"{"seq":\#(seq)}"#.utf8), createdAtMicros: 5)
    }

    @Test("events(matching:) combines source, key, time and seq bounds; newestFirst takes the last ones, oldest first")
    func filters() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        for index in 1...6 {
            _ = try await store.append(event("k\(index)", source: index.isMultiple(of: 2) ? "github" : "stripe", received: Int64(index) * 100))
        }
        func seqs(_ filter: EventFilter, limit: Int = 100, newestFirst: Bool = false) async throws -> [Int64] {
            try await store.events(matching: filter, limit: limit, newestFirst: newestFirst).map(\.seq)
        }
        #expect(try await seqs(EventFilter()) == [1, 2, 3, 4, 5, 6])
        #expect(try await seqs(EventFilter(source: "github")) == [2, 4, 6])
        #expect(try await seqs(EventFilter(dedupeKey: "k3")) == [3])
        #expect(try await seqs(EventFilter(source: "github", dedupeKey: "k3")) == [])
        #expect(try await seqs(EventFilter(receivedSinceMicros: 400)) == [4, 5, 6])
        #expect(try await seqs(EventFilter(fromSeq: 2, toSeq: 4)) == [2, 3, 4])
        #expect(try await seqs(EventFilter(source: "stripe", fromSeq: 2)) == [3, 5])
        #expect(try await seqs(EventFilter(), limit: 2, newestFirst: true) == [5, 6])
        #expect(try await seqs(EventFilter(toSeq: 4), limit: 2, newestFirst: true) == [3, 4])
        #expect(try await seqs(EventFilter(fromSeq: 2, toSeq: 4).after(3)) == [4])
        #expect(try await store.event(seq: 4)?.dedupeKey == "k4")
        #expect(try await store.event(seq: 40) == nil)
        await store.close()
    }

    @Test("append(contentsOf:) stores in the order given, deduplicating within the batch and against stored keys")
    func batchAppend() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", maxBatch: 2, logger: logger)
        _ = try await store.append(event("old"))
        let outcomes = try await store.append(contentsOf: [event("a"), event("old"), event("b"), event("a"), event("c")])
        #expect(outcomes == [.stored(seq: 2), .duplicate(seq: 1), .stored(seq: 3), .duplicate(seq: 2), .stored(seq: 4)])
        #expect(try await store.append(contentsOf: []) == [])
        #expect(try await store.events(after: 0, limit: 10).map(\.dedupeKey) == ["old", "a", "b", "c"])
        await store.close()
    }

    @Test("dead letters: paging, by id, count, delete")
    func deadLetters() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        var ids: [Int64] = []
        for seq in [7, 8, 9] as [Int64] { ids.append(try await store.addDeadLetter(letter(seq: seq))) }
        #expect(try await store.deadLetterCount() == 3)
        #expect(try await store.deadLetters(after: ids[0], limit: 10).map(\.seq) == [8, 9])
        #expect(try await store.deadLetters(after: 0, limit: 1).map(\.seq) == [7])
        let second = try await store.deadLetter(id: ids[1])
        #expect(second?.stderrTail == ["a", "b"])
        #expect(second?.line == Array(#"{"seq":8}"#.utf8))
        #expect(try await store.deadLetter(id: 999) == nil)
        #expect(try await store.deleteDeadLetter(id: ids[1]))
        #expect(try await store.deleteDeadLetter(id: ids[1]) == false)
        #expect(try await store.deadLetterCount() == 2)
        #expect(try await store.deadLetters(limit: 10).map(\.seq) == [7, 9])
        await store.close()
    }

    @Test("pruning keeps events that still have a dead letter, until the letter is deleted")
    func pruneKeepsDeadLettered() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        for index in 1...4 { _ = try await store.append(event("k\(index)", received: 100)) }
        let id = try await store.addDeadLetter(letter(seq: 2))
        #expect(try await store.prune(receivedBefore: 1_000, upTo: 4) == 3)
        #expect(try await store.events(after: 0, limit: 10).map(\.seq) == [2])
        #expect(try await store.deleteDeadLetter(id: id))
        #expect(try await store.prune(receivedBefore: 1_000, upTo: 4) == 1)
        #expect(try await store.events(after: 0, limit: 10).isEmpty)
        await store.close()
    }
}

/// Two stores on one file, as the daemon and an operator command are: nothing
/// about sequence numbers or dedupe keys may be remembered in memory.
@Suite("SQLiteEventStore: two writers on one file")
struct SQLiteEventStoreSharedFileTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func event(_ key: String) -> IncomingEvent {
        IncomingEvent(source: "s", dedupeKey: key, dedupeWindow: .seconds(3600), receivedAtMicros: 1,
                      metadata: Array("{}".utf8), payload: Array("{}".utf8))
    }

    @Test("interleaved appends get unique sequence numbers, increasing in each writer's commit order, and keys dedupe across writers")
    func interleaved() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/db.sqlite"
        let daemon = try SQLiteEventStore(path: path, maxBatch: 8, logger: logger)
        let operatorStore = try SQLiteEventStore(path: path, maxBatch: 8, logger: logger)
        #expect(try await daemon.append(event("first")) == .stored(seq: 1))
        // The second writer sees the first's key and continues its numbering.
        #expect(try await operatorStore.append(event("first")) == .duplicate(seq: 1))
        #expect(try await operatorStore.append(event("second")) == .stored(seq: 2))
        #expect(try await daemon.append(event("second")) == .duplicate(seq: 2))
        #expect(try await daemon.append(event("third")) == .stored(seq: 3))

        async let fromDaemon = withThrowingTaskGroup(of: [AppendOutcome].self) { group in
            for round in 0..<20 {
                group.addTask { try await daemon.append(contentsOf: (0..<10).map { event("d\(round)-\($0)") }) }
            }
            return try await group.reduce(into: [[AppendOutcome]]()) { $0.append($1) }
        }
        async let fromOperator = withThrowingTaskGroup(of: [AppendOutcome].self) { group in
            for round in 0..<20 {
                group.addTask { try await operatorStore.append(contentsOf: (0..<10).map { event("o\(round)-\($0)") } + [event("shared-\(round)")]) }
            }
            return try await group.reduce(into: [[AppendOutcome]]()) { $0.append($1) }
        }
        // Both writers race for the same keys too.
        async let sharedFromDaemon = withThrowingTaskGroup(of: AppendOutcome.self) { group in
            for round in 0..<20 { group.addTask { try await daemon.append(event("shared-\(round)")) } }
            return try await group.reduce(into: [AppendOutcome]()) { $0.append($1) }
        }
        let batches = try await fromDaemon + fromOperator
        let shared = try await sharedFromDaemon
        for batch in batches {
            let seqs = batch.compactMap { if case .stored(let seq) = $0 { seq } else { nil } }
            #expect(seqs == seqs.sorted(), "a batch's events are numbered in the order given")
        }
        let stored = try await daemon.events(after: 0, limit: 10_000)
        #expect(stored.map(\.seq) == Array(1...Int64(stored.count)), "no gaps, no reuse")
        #expect(Set(stored.map(\.dedupeKey)).count == stored.count, "every key stored once")
        #expect(stored.count == 3 + 400 + 20)
        let sharedStored = shared.filter { if case .stored = $0 { true } else { false } }.count
            + batches.flatMap { $0 }.filter { if case .stored = $0 { true } else { false } }.count - 400
        #expect(sharedStored == 20)
        #expect(try await operatorStore.lastSequence() == Int64(stored.count))
        await daemon.close()
        await operatorStore.close()
    }
}
