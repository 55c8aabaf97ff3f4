import Foundation
import HookpipeConfig
import HookpipeOperations
import HookpipeStore
import Logging
import HookpipeSync
import Testing

@Suite("Injector")
struct InjectorTests {
    let input = #"""
        {"id":"evt_1","n":1}
        not json

        {"id":"evt_2","n":2}
        [1]
        {"id":"evt_1","n":"again"}
        {"id":"evt_3","n":3}
        """#

    func injector(_ store: any EventStore, batchSize: Int = 256) -> Injector {
        let source = SourceConfig(name: "stripe", path: "/hooks/stripe", scheme: .stripe)
        return Injector(decoder: InjectDecoder(source: source, idPointer: nil, maxLineBytes: 1024), store: store, batchSize: batchSize, pause: .zero)
    }

    /// Runs the injector over `chunks`, returning its summary and every report.
    func run(_ injector: Injector, _ chunks: [[UInt8]]) async throws -> (Injector.Summary, [Injector.LineReport]) {
        var remaining = chunks[...]
        var reports: [Injector.LineReport] = []
        let summary = try await injector.run(read: { remaining.popFirst() ?? [] }) { reports.append($0) }
        return (summary, reports)
    }

    @Test("stores valid lines, reports the rest by line number; the same whether fed at once, byte by byte or in batches of one")
    func chunking() async throws {
        let bytes = Array(input.utf8)
        var results: [[Injector.LineReport]] = []
        for (chunks, batchSize) in [([bytes], 256), (bytes.map { [$0] }, 256), ([bytes], 1)] {
            let temporary = try TemporaryStore()
            let (summary, reports) = try await run(injector(temporary.store, batchSize: batchSize), chunks)
            #expect(summary.lines == 7)
            #expect(summary.stored == 3)
            #expect(summary.duplicates == 1)
            #expect(summary.invalid == 2)
            #expect(summary.description == "3 stored, 1 duplicate, 2 invalid (7 lines)")
            #expect(try await temporary.store.events(after: 0, limit: 10).map(\.dedupeKey) == ["evt_1", "evt_2", "evt_3"])
            results.append(reports.map { report in
                // Line 2's message comes from jansson; keep only where it was found.
                if case .invalid(let line, let reason) = report, line == 2 { return .invalid(line: line, reason: String(reason.prefix(9))) }
                return report
            })
            await temporary.remove()
        }
        #expect(results[0] == [
            .stored(line: 1, seq: 1, id: "evt_1"), .invalid(line: 2, reason: "not JSON:"), .stored(line: 4, seq: 2, id: "evt_2"),
            .invalid(line: 5, reason: "not a JSON object (one event object per line is expected)"),
            .duplicate(line: 6, seq: 1, id: "evt_1"), .stored(line: 7, seq: 3, id: "evt_3"),
        ])
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
    }

    @Test("a second run of the same lines stores nothing new")
    func rerun() async throws {
        let temporary = try TemporaryStore()
        let first = try await run(injector(temporary.store), [Array(input.utf8)]).0
        let second = try await run(injector(temporary.store), [Array(input.utf8)]).0
        #expect(first.stored == 3)
        #expect(second.stored == 0)
        #expect(second.duplicates == 4)
        #expect(try await temporary.store.lastSequence() == 3)
        await temporary.remove()
    }

    /// The store of `temporary`, opened again (the test closed the first one).
    func reopen(_ temporary: TemporaryStore) throws -> SQLiteEventStore {
        try SQLiteEventStore(path: temporary.directory + "/hookpipe.sqlite", logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test("a store failure stops the run after its chunk, naming the lines not stored and the lines never read")
    func storeFailure() async throws {
        let temporary = try TemporaryStore()
        let injector = injector(temporary.store)
        let line = { (id: String) in Array(#"{"id":"\#(id)"}"#.utf8) + [0x0A] }
        let chunks = Locked([line("a"), line("b") + line("c"), line("d")])
        let store = temporary.store
        var reports: [Injector.LineReport] = []
        let summary = try await injector.run(read: {
            let next = chunks.withLock { $0.isEmpty ? [] : $0.removeFirst() }
            // Closing the store after the first chunk makes the second fail.
            if next == line("b") + line("c") { await store.close() }
            return next
        }) { reports.append($0) }
        #expect(reports == [.stored(line: 1, seq: 1, id: "a"), .notStored(line: 2, id: "b"), .notStored(line: 3, id: "c")])
        #expect(summary.failure?.code == .closed)
        #expect(summary.description == "1 stored, 0 duplicates, 0 invalid, 2 not stored (3 lines)")
        #expect(summary.notReadFrom == 4)
        #expect(summary.problems(command: "hookpipe inject --source stripe") == [
            "cannot store 2 lines: store_closed: the store is closed",
            "not stored: lines 2–3; the run stopped there, so lines 4 and later were not stored either",
            "every other line's outcome stands; to finish without duplicates once the store takes writes again, feed only those lines: "
                + "sed -n '2,$p' INPUT | hookpipe inject --source stripe"
                + " (feeding all of INPUT again also stores each line once: the stored ones are duplicates within the dedupe window)",
        ])
        #expect(chunks.withLock { $0.count } == 1, "the chunk after the failure is never read")
        let reopened = try reopen(temporary)
        #expect(try await reopened.lastSequence() == 1)
        await reopened.close()
        try? FileManager.default.removeItem(atPath: temporary.directory)
    }
}
