import HookpipeJSON
import HookpipeOperations
import HookpipeStore
import HookpipeSync
import Testing

@Suite("Tailer")
struct TailerTests {
    /// What a tailer running in another task wrote.
    final class Collected: Sendable {
        let bytes = Locked<[UInt8]>([])
        var snapshot: [UInt8] { bytes.withLock { $0 } }
    }

    /// The `seq` of every line written.
    func seqs(_ output: [UInt8]) throws -> [Int64] {
        try output.split(separator: 0x0A).map { line in
            Int64(try #require(JSONDocument.parse(Array(line)).get().scalarText(at: "/seq")))!
        }
    }

    @Test("the last N lines, or all matching, as envelopes")
    func lastLines() async throws {
        let temporary = try TemporaryStore()
        for index in 1...12 { try await temporary.add("e\(index)", source: index.isMultiple(of: 3) ? "github" : "stripe", receivedAt: Int64(index)) }
        var output: [UInt8] = []
        try await Tailer(store: temporary.store, filter: EventFilter(), lines: 10).run(follow: false) { output += $0 }
        #expect(try seqs(output) == Array(3...12))
        let first = String(decoding: output.split(separator: 0x0A)[0], as: UTF8.self)
        #expect(first == #"{"seq":3,"id":"e3","source":"github","received_at":"x","payload":{"id":"e3"}}"#)
        output = []
        try await Tailer(store: temporary.store, filter: EventFilter(source: "github"), lines: 2).run(follow: false) { output += $0 }
        #expect(try seqs(output) == [9, 12])
        output = []
        try await Tailer(store: temporary.store, filter: EventFilter(receivedSinceMicros: 5), lines: nil, pageSize: 3).run(follow: false) { output += $0 }
        #expect(try seqs(output) == Array(5...12))
        output = []
        let none = try await Tailer(store: temporary.store, filter: EventFilter(), lines: 0).run(follow: false) { output += $0 }
        #expect(none == 0)
        #expect(output.isEmpty)
        await temporary.remove()
    }

    @Test("following prints matching events appended later, until stopped")
    func follow() async throws {
        let temporary = try TemporaryStore()
        try await temporary.add("old")
        let output = Collected()
        let tailer = Tailer(store: temporary.store, filter: EventFilter(source: "stripe", fromSeq: 2), lines: nil, pollInterval: .milliseconds(10))
        let task = Task {
            try await tailer.run(follow: true) { bytes in output.bytes.withLock { $0 += bytes } }
        }
        func waitForLines(_ count: Int) async throws -> [Int64] {
            // Generous: in a whole-suite run this task can wait long for a
            // cooperative-pool thread (a CI run saw it time out at 30 s).
            let deadline = ContinuousClock.now + .seconds(120)
            while try seqs(output.snapshot).count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return try seqs(output.snapshot)
        }
        try await temporary.add("gh", source: "github")
        try await temporary.add("new1")
        #expect(try await waitForLines(1) == [3])
        // Stored after the tailer printed seq 3, so only following can find it.
        try await temporary.add("new2")
        #expect(try await waitForLines(2) == [3, 4])
        task.cancel()
        #expect(try await task.value == 2)
        await temporary.remove()
    }

    @Test("a stop condition ends following")
    func stop() async throws {
        let temporary = try TemporaryStore()
        let written = try await Tailer(store: temporary.store, filter: EventFilter(), lines: 10, pollInterval: .milliseconds(5))
            .run(follow: true, stop: { true }) { _ in }
        #expect(written == 0)
        await temporary.remove()
    }
}
