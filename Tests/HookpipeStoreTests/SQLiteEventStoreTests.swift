import Foundation
import HookpipeStore
import Logging
import Testing

@Suite("SQLiteEventStore")
struct SQLiteEventStoreTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func event(_ key: String, source: String = "stripe", window: Duration = .seconds(3600), payload: String = #"{"a":1}"#) -> IncomingEvent {
        IncomingEvent(source: source, dedupeKey: key, dedupeWindow: window, receivedAtMicros: 1_000,
                      metadata: Array(#"{"id":"\#(key)"}"#.utf8), payload: Array(payload.utf8))
    }

    @Test("appends get increasing sequence numbers and read back in order")
    func appendAndRead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        #expect(try await store.append(event("a")) == .stored(seq: 1))
        #expect(try await store.append(event("b", payload: #"{"b":2}"#)) == .stored(seq: 2))
        #expect(try await store.lastSequence() == 2)
        let events = try await store.events(after: 0, limit: 10)
        #expect(events.map(\.seq) == [1, 2])
        #expect(events[1].payload == Array(#"{"b":2}"#.utf8))
        #expect(events[1].dedupeKey == "b")
        #expect(try await store.events(after: 1, limit: 10).map(\.seq) == [2])
        #expect(try await store.events(after: 0, limit: 1).map(\.seq) == [1])
        await store.close()
    }

    @Test("every field reads back byte for byte, empty and non-ASCII ones included (empty is never NULL)")
    func fieldsRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        let binary: [UInt8] = [0, 1, 0xFF, 0x7B, 0]  // NULs and a byte that is not UTF-8
        let events = [
            IncomingEvent(source: "tiendañube", dedupeKey: "clé-\u{1F4B8}", dedupeWindow: .seconds(60), receivedAtMicros: -5,
                          metadata: binary, payload: Array(#"{"ü":"€"}"#.utf8)),
            IncomingEvent(source: "s", dedupeKey: "", dedupeWindow: .seconds(60), receivedAtMicros: Int64.max,
                          metadata: [], payload: []),
        ]
        for (index, event) in events.enumerated() {
            #expect(try await store.append(event) == .stored(seq: Int64(index + 1)))
        }
        let stored = try await store.events(after: 0, limit: 10)
        #expect(stored.map(\.source) == events.map(\.source))
        #expect(stored.map(\.dedupeKey) == events.map(\.dedupeKey))
        #expect(stored.map(\.receivedAtMicros) == events.map(\.receivedAtMicros))
        #expect(stored.map(\.metadata) == events.map(\.metadata))
        #expect(stored.map(\.payload) == events.map(\.payload))
        // The empty key is a key like any other: remembered, and a duplicate the second time.
        #expect(try await store.append(events[1]) == .duplicate(seq: 2))
        await store.close()
    }

    @Test("a key seen within its window is a duplicate; keys are per source")
    func duplicates() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        #expect(try await store.append(event("evt_1")) == .stored(seq: 1))
        #expect(try await store.append(event("evt_1")) == .duplicate(seq: 1))
        #expect(try await store.append(event("evt_1", source: "github")) == .stored(seq: 2))
        #expect(try await store.events(after: 0, limit: 10).count == 2)
        await store.close()
    }

    @Test("after the window a key is stored again")
    func windowExpiry() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        #expect(try await store.append(event("k", window: .milliseconds(1))) == .stored(seq: 1))
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await store.append(event("k", window: .milliseconds(1))) == .stored(seq: 2))
        await store.close()
    }

    @Test("200 concurrent appends of one key store exactly one event")
    func concurrentDuplicates() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", maxBatch: 16, logger: logger)
        let outcomes = try await withThrowingTaskGroup(of: AppendOutcome.self) { group in
            for _ in 0..<200 { group.addTask { try await store.append(event("same")) } }
            return try await group.reduce(into: [AppendOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .stored = $0 { true } else { false } }.count == 1)
        #expect(Set(outcomes.map(\.seq)) == [1])
        #expect(try await store.lastSequence() == 1)
        await store.close()
    }

    @Test("observers hear of a batch after its appends were answered, and only of events it stored")
    func observersAfterAnswers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        let (log, entry) = AsyncStream<String>.makeStream()
        store.observeAppends { events in entry.yield("observed \(events.map(\.seq))") }
        // One append at a time, each waited for: each is its own batch.
        for key in ["a", "a", "b"] {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                store.append(event(key)) { result in
                    entry.yield((try? result.get()).map { "answered \($0)" } ?? "failed")
                    done.resume()
                }
            }
        }
        var seen: [String] = []
        for await line in log {
            seen.append(line)
            if seen.count == 5 { break }
        }
        #expect(seen == ["answered stored(seq: 1)", "observed [1]", "answered duplicate(seq: 1)",
                         "answered stored(seq: 2)", "observed [2]"])
        await store.close()
    }

    @Test("many concurrent distinct appends are all stored with unique sequence numbers")
    func groupCommit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        let seqs = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<500 { group.addTask { try await store.append(event("k\(index)")).seq ?? -1 } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(seqs) == Set(1...500))
        await store.close()
    }

    @Test("events and dedupe memory survive reopening")
    func reopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/db.sqlite"
        let first = try SQLiteEventStore(path: path, logger: logger)
        _ = try await first.append(event("x"))
        _ = try await first.append(event("y"))
        await first.close()
        let second = try SQLiteEventStore(path: path, logger: logger)
        #expect(try await second.append(event("x")) == .duplicate(seq: 1))
        #expect(try await second.append(event("z")) == .stored(seq: 3))
        #expect(try await second.events(after: 0, limit: 10).map(\.dedupeKey) == ["x", "y", "z"])
        await second.close()
    }

    @Test("a closed store refuses appends with a store error")
    func closed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        await store.close()
        await #expect(throws: StoreError.self) { try await store.append(event("late")) }
    }

    @Test("a path that cannot be opened is a clear store error")
    func unopenable() throws {
        #expect(throws: StoreError.self) {
            _ = try SQLiteEventStore(path: "/proc/hookpipe-cannot-exist/db.sqlite", logger: logger)
        }
    }
}

@Suite("SQLiteEventStore: retention")
struct SQLiteRetentionTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("prune deletes only events both old enough and at or below the bound; seqs are never reused")
    func prune() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.path + "/db.sqlite", logger: logger)
        for (index, received) in [100, 200, 300, 400].enumerated() {
            _ = try await store.append(IncomingEvent(source: "s", dedupeKey: "k\(index)", dedupeWindow: .seconds(60),
                                                     receivedAtMicros: Int64(received), metadata: Array("{}".utf8), payload: Array("{}".utf8)))
        }
        #expect(try await store.prune(receivedBefore: 350, upTo: 2) == 2)
        #expect(try await store.events(after: 0, limit: 10).map(\.seq) == [3, 4])
        #expect(try await store.prune(receivedBefore: 350, upTo: 10) == 1)
        #expect(try await store.events(after: 0, limit: 10).map(\.seq) == [4])
        let next = try await store.append(IncomingEvent(source: "s", dedupeKey: "k9", dedupeWindow: .seconds(60), receivedAtMicros: 500,
                                                        metadata: Array("{}".utf8), payload: Array("{}".utf8)))
        #expect(next == .stored(seq: 5))
        await store.close()
    }
}
