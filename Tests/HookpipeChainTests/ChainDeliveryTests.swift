import Foundation
import HookpipeChain
import HookpipeConfig
import HookpipeStore
import Testing

/// Real child processes; each test bounded in events and time.
@Suite("Chain: delivery", .serialized)
struct ChainDeliveryTests {
    @Test("events go through sh+jq, Python and Perl stages in order, all of them, and the checkpoint follows")
    func threeLanguages() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(300, payload: { #"{"amount":\#($0)}"# })
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "jq", command: [ChainHarness.plugin("hop.sh")]),
            StageConfig(name: "python", command: ["python3", ChainHarness.plugin("enrich.py")]),
            StageConfig(name: "perl", command: ["perl", ChainHarness.plugin("tag.pl")], environment: ["TAGS": "a,b"]),
        ]))
        #expect(await harness.wait { runner.status().checkpoint == 300 })
        #expect(await harness.stop(runner))
        let output = harness.output()
        #expect(harness.outputSeqs() == Array(1...300))
        #expect(output.allSatisfy { ($0["hops"] as? Int) == 3 })
        #expect((output.first?["tags"] as? [String]) == ["a", "b"])
        #expect(((output.last?["summary"] as? [String: Any])?["amount"] as? Int) == 300)
        #expect(try await harness.store.checkpoint(ChainRunner.consumer) == 300)
    }

    @Test("the envelope a handler reads carries seq, its mark, id, source and the raw payload")
    func envelope() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(1, payload: { _ in #"{"amount": 0.1}"# })
        let runner = try await harness.start(harness.chain([StageConfig(name: "cat", command: ["cat"])]))
        #expect(await harness.wait { runner.status().checkpoint == 1 })
        _ = await harness.stop(runner)
        let text = try String(contentsOfFile: harness.outputPath, encoding: .utf8)
        // The mark is fresh per run: 16 hex digits after seq.
        let mark = try #require(text.firstMatch(of: /"mark":"([0-9a-f]{16})"/)?.1)
        #expect(text == #"{"seq":1,"mark":"\#(mark)","id":"e1","source":"test","payload":{"amount": 0.1}}"# + "\n")
    }

    @Test("a filter (grep) and a sink that emits nothing neither stall nor lose events")
    func filterAndSink() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(100, payload: { #"{"keep":\#($0 % 10 == 0)}"# })
        let sinkFile = harness.directory + "/sink.ndjson"
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "grep", command: ["grep", "--line-buffered", #""keep":true"#]),
            StageConfig(name: "tee", command: ["tee", "-a", harness.directory + "/tee.ndjson"]),
            StageConfig(name: "sink", command: ["sh", "-c", "cat >> \"$1\"", "sink", sinkFile]),
        ]))
        #expect(await harness.wait { runner.status().checkpoint == 100 })
        #expect(await harness.stop(runner))
        let sunk = try String(contentsOfFile: sinkFile, encoding: .utf8).split(separator: "\n")
        #expect(Set(sunk.compactMap { line -> Int? in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["seq"] as? Int
        }) == Set(stride(from: 10, through: 100, by: 10)))
        #expect(harness.output().isEmpty)
    }

    @Test("a jq select filter in the middle settles the events it drops")
    func jqSelect() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(50, payload: { #"{"n":\#($0)}"# })
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "select", command: ["jq", "-c", "--unbuffered", "select(.payload.n % 2 == 0)"]),
            StageConfig(name: "cat", command: ["cat"]),
        ]))
        #expect(await harness.wait { runner.status().checkpoint == 50 })
        _ = await harness.stop(runner)
        #expect(harness.outputSeqs() == Array(stride(from: 2, through: 50, by: 2)))
    }

    @Test("after a stage drops seq, a pass-through stage does not settle early; all events still come out")
    func seqDroppedThenPassThrough() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(30)
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "drop-seq", command: ["jq", "-c", "--unbuffered", "del(.seq)"]),
            StageConfig(name: "cat", command: ["cat"]),
        ]))
        #expect(await harness.wait { runner.status().checkpoint == 30 })
        // Without seq nothing can be settled by output; only drains settle these events.
        #expect(runner.status().stages.contains { $0.drains > 0 })
        _ = await harness.stop(runner)
        let ids = harness.output().compactMap { $0["id"] as? String }
        #expect(ids == (1...30).map { "e\($0)" })
        #expect(harness.outputSeqs().isEmpty)
    }

    @Test("lines that are not JSON are dropped and counted; every event still comes out")
    func garbage() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(40)
        let runner = try await harness.start(harness.chain([StageConfig(name: "garbage", command: [ChainHarness.fixture("garbage.sh")])]))
        #expect(await harness.wait { runner.status().checkpoint == 40 })
        #expect(runner.status().invalidLines == 40)
        _ = await harness.stop(runner)
        #expect(harness.outputSeqs() == Array(1...40))
    }

    @Test("events stored while the chain runs are picked up without polling delays")
    func liveEvents() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        let runner = try await harness.start(harness.chain([StageConfig(name: "cat", command: ["cat"])]))
        try await harness.addEvents(20)
        #expect(await harness.wait(.seconds(10)) { runner.status().checkpoint == 20 })
        _ = await harness.stop(runner)
        #expect(harness.outputSeqs() == Array(1...20))
    }

    @Test("a restart resumes after the checkpoint")
    func resumesAfterCheckpoint() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(10)
        let first = try await harness.start(harness.chain([StageConfig(name: "cat", command: ["cat"])]))
        #expect(await harness.wait { first.status().checkpoint == 10 })
        _ = await harness.stop(first)
        try await harness.addEvents(5)
        let second = try await harness.start(harness.chain([StageConfig(name: "cat", command: ["cat"])]))
        #expect(await harness.wait { second.status().checkpoint == 15 })
        _ = await harness.stop(second)
        #expect(harness.outputSeqs() == Array(1...15))
    }

    @Test("an output file left ending in half a line (a crash mid-write) holds only whole lines after a start; every event is there")
    func tornOutputLineIsCut() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(6)
        // As a SIGKILL during a batch write leaves it: seqs 1–3 written and
        // settled, seq 4 cut off part-way, the checkpoint still at 3.
        let cat = [StageConfig(name: "cat", command: ["cat"])]
        let first = try await harness.start(harness.chain(cat))
        #expect(await harness.wait { first.status().checkpoint == 6 })
        _ = await harness.stop(first)
        let lines = try String(contentsOfFile: harness.outputPath, encoding: .utf8).split(separator: "\n")
        let kept = lines.prefix(3).joined(separator: "\n") + "\n" + lines[3].prefix(25)
        try Data(kept.utf8).write(to: URL(fileURLWithPath: harness.outputPath))
        try await harness.store.saveCheckpoint(ChainRunner.consumer, seq: 3)
        let second = try await harness.start(harness.chain(cat))
        #expect(await harness.wait { second.status().checkpoint == 6 })
        _ = await harness.stop(second)
        let text = try String(contentsOfFile: harness.outputPath, encoding: .utf8)
        let whole = text.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }
        #expect(whole.allSatisfy { $0 }, "\(text)")
        #expect(harness.outputSeqs() == Array(1...6))
    }
}
