import HookpipeRecovery
import HookpipeJSON
import HookpipeOperations
import HookpipeStore
import Testing

@Suite("Replayer and EventCopy")
struct ReplayerTests {
    @Test("a copy keeps source, payload and metadata, adds replay_of, and has a key no delivery has")
    func copy() throws {
        let original = StoredEvent(seq: 7, source: "stripe", dedupeKey: "evt_1", receivedAtMicros: 5,
                                   metadata: Array(#"{"id":"evt_1","source":"stripe","received_at":"t"}"#.utf8), payload: Array(#"{"a":0.1}"#.utf8))
        let copy = EventCopy.of(original, run: "run-1", nowMicros: 99)
        #expect(copy.source == "stripe")
        #expect(copy.payload == original.payload)
        #expect(copy.receivedAtMicros == 99)
        #expect(copy.dedupeKey == "replay:7:run-1")
        #expect(String(decoding: copy.metadata, as: UTF8.self) == #"{"id":"evt_1","source":"stripe","received_at":"t","replay_of":7}"#)
    }

    @Test("replay appends copies in sequence order, never taken for duplicates, even twice")
    func replay() async throws {
        let temporary = try TemporaryStore()
        for id in ["a", "b", "c", "d"] { try await temporary.add(id, source: id == "b" ? "github" : "stripe") }
        let replayer = Replayer(store: temporary.store, pageSize: 2, pause: .zero)
        let first = try await replayer.replay(EventFilter(fromSeq: 2, toSeq: 3))
        #expect(first.isComplete && first.count == 2 && first.firstSeq == 5 && first.lastSeq == 6)
        #expect(first.problems().isEmpty)
        #expect(first.description == "replayed 2 events as seq 5–6")
        let again = try await replayer.replay(EventFilter(fromSeq: 2, toSeq: 3))
        #expect(again.count == 2)
        let copies = try await temporary.store.events(after: 4, limit: 10)
        #expect(copies.map(\.source) == ["github", "stripe", "github", "stripe"])
        let envelope = try JSONDocument.parse(Envelope.line(seq: copies[0].seq, metadata: copies[0].metadata, payload: copies[0].payload)).get()
        #expect(envelope.scalarText(at: "/replay_of") == "2")
        #expect(envelope.scalarText(at: "/id") == "b")
        #expect(envelope.scalarText(at: "/payload/id") == "b")
        // By id, only the original matches: copies are stored under their own keys.
        let byID = try await replayer.replay(EventFilter(source: "github", dedupeKey: "b"))
        #expect(byID.description == "replayed 1 event as seq 9")
        await temporary.remove()
    }

    @Test("the selection ends at the newest event when it starts: copies are never selected again")
    func bounded() async throws {
        let temporary = try TemporaryStore()
        for index in 0..<5 { try await temporary.add("e\(index)", receivedAt: 1_000) }
        // Copies are received "now", so they match --since too; the bound stops an endless loop.
        let summary = try await Replayer(store: temporary.store, pageSize: 2, pause: .zero).replay(EventFilter(receivedSinceMicros: 0))
        #expect(summary.isComplete && summary.count == 5 && summary.firstSeq == 6 && summary.lastSeq == 10)
        #expect(summary.replayed.description == "1–5")
        #expect(try await temporary.store.lastSequence() == 10)
        await temporary.remove()
    }

    @Test("an empty selection is refused, naming it")
    func empty() async throws {
        let temporary = try TemporaryStore()
        try await temporary.add("a")
        let replayer = Replayer(store: temporary.store, pause: .zero)
        do {
            _ = try await replayer.replay(EventFilter(source: "github", dedupeKey: "nope"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .emptySelection)
            #expect(error.message == #"no stored event matches id "nope", source "github"; nothing to replay"#)
        }
        #expect(try await temporary.store.lastSequence() == 1)
        await temporary.remove()
    }

    @Test("forEachPage sees every selected event once, in pages")
    func pages() async throws {
        let temporary = try TemporaryStore()
        for index in 0..<7 { try await temporary.add("e\(index)") }
        var pages: [[Int64]] = []
        let count = try await Replayer(store: temporary.store, pageSize: 3).forEachPage(EventFilter(fromSeq: 2)) { pages.append($0.map(\.seq)) }
        #expect(count == 6)
        #expect(pages == [[2, 3, 4], [5, 6, 7]])
        await temporary.remove()
    }
}
