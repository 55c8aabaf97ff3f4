import Foundation
@testable import HookpipeChain
import HookpipeConfig
import HookpipeStore
import Testing

/// Stages that exit, crash, hang or choke: nothing stalls, nothing is lost.
@Suite("Chain: supervision", .serialized)
struct ChainSupervisionTests {
    /// Fast backoff so restart-heavy tests stay short.
    func quick(_ name: String, _ command: [String], timeout: Duration = .seconds(5)) -> StageConfig {
        StageConfig(name: name, command: command, backoffMin: .milliseconds(10), backoffMax: .milliseconds(50),
                    healthyAfter: .seconds(5), failAfter: 1000, timeout: timeout)
    }

    /// Every seq of 1...count appears, first appearances in order.
    func complete(_ seqs: [Int], _ count: Int) -> Bool {
        var seen = Set<Int>()
        let firsts = seqs.filter { seen.insert($0).inserted }
        return firsts == Array(1...count)
    }

    @Test("a stage that exits after every k events is restarted and its events fed again")
    func exitsEveryK() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(60)
        // flush_after well above a busy machine's scheduling delays: Python reads
        // ahead, so a handler descheduled for 300 ms between reading and writing
        // looked idle and was drained (counted as a drain, not a restart) when
        // other tests ran processes at the same time.
        let runner = try await harness.start(harness.chain([
            quick("exit-after-7", ["python3", "-u", ChainHarness.fixture("exit_after.py"), "7"]),
            StageConfig(name: "cat", command: ["cat"]),
        ]) { $0.flushAfter = .seconds(2) })
        #expect(await harness.wait { runner.status().checkpoint == 60 })
        #expect(runner.status().stages[0].restarts >= 8)
        _ = await harness.stop(runner)
        #expect(complete(harness.outputSeqs(), 60))
    }

    @Test("a stage that exits cleanly without reading all it was given is not counted as drained; nothing is lost")
    func earlyExitAfterFlush() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(20)
        // Starts slowly (so the runner flushes it: stdin closed with lines queued),
        // then passes on three lines and exits 0, leaving the rest unread in its pipe.
        let script = #"sleep 0.5; i=0; while [ $i -lt 3 ] && IFS= read -r l; do printf '%s\n' "$l"; i=$((i+1)); done"#
        let runner = try await harness.start(harness.chain([quick("three-then-exit", ["sh", "-c", script])]))
        #expect(await harness.wait(.seconds(60)) { runner.status().checkpoint == 20 })
        _ = await harness.stop(runner)
        #expect(complete(harness.outputSeqs(), 20), "\(harness.outputSeqs())")
    }

    @Test("a stage that segfaults mid-stream is restarted; nothing is lost")
    func segfault() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(40)
        let runner = try await harness.start(harness.chain([
            quick("segv", ["python3", "-u", ChainHarness.fixture("crash_after.py"), "9", "SIGSEGV"]),
        ]) { $0.poisonAfter = 100 })
        #expect(await harness.wait { runner.status().checkpoint == 40 })
        _ = await harness.stop(runner)
        #expect(complete(harness.outputSeqs(), 40))
        #expect(try await harness.store.deadLetters(limit: 10).isEmpty)
    }

    @Test("a stage killed with SIGKILL from outside is restarted; nothing is lost")
    func killedFromOutside() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(30)
        let pidFile = harness.directory + "/pid"
        let runner = try await harness.start(harness.chain([
            quick("slow", ["python3", "-u", "-c", "import sys,time\nfor l in sys.stdin:\n    time.sleep(0.02); sys.stdout.write(l); sys.stdout.flush()"]),
            quick("victim", [ChainHarness.fixture("pidfile.sh"), pidFile]),
        ]))
        #expect(await harness.wait { runner.status().checkpoint >= 5 })
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
        #expect(await harness.wait { runner.status().checkpoint == 30 })
        #expect(runner.status().stages[1].restarts >= 1)
        _ = await harness.stop(runner)
        #expect(complete(harness.outputSeqs(), 30))
    }

    @Test("a hung stage is killed after its timeout and restarted; nothing is lost")
    func hung() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(10)
        let runner = try await harness.start(harness.chain([
            quick("hang-once", [ChainHarness.fixture("hang_once.sh"), harness.directory + "/hung"], timeout: .milliseconds(800)),
        ]))
        #expect(await harness.wait { runner.status().checkpoint == 10 })
        #expect(runner.status().stages[0].restarts >= 1)
        _ = await harness.stop(runner)
        #expect(complete(harness.outputSeqs(), 10))
    }

    @Test("a poison event ends in the dead-letter store with the stage's stderr; all others come out")
    func poison() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(30, payload: { #"{"n":\#($0),"poison":\#($0 == 17)}"# })
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "cat", command: ["cat"]),
            quick("picky", ["python3", "-u", ChainHarness.fixture("poison.py")]),
        ]) { $0.poisonAfter = 3 })
        #expect(await harness.wait { runner.status().checkpoint == 30 })
        _ = await harness.stop(runner)
        let letters = try await harness.store.deadLetters(limit: 10)
        #expect(letters.map(\.seq) == [17])
        #expect(letters.first?.stage == "picky")
        #expect(letters.first?.reason == "exit 3")
        #expect(letters.first?.stderrTail.contains { $0.contains("boom: cannot handle seq 17") } == true)
        let deadLine = String(decoding: letters.first?.line ?? [], as: UTF8.self)
        #expect(deadLine.contains(#""poison":true"#))
        let seqs = Set(harness.outputSeqs())
        #expect(seqs == Set(1...30).subtracting([17]))
    }

    @Test("a stage that fails on start is restarted with growing delays, not in a busy loop")
    func failsOnStart() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(1)
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "broken", command: ["sh", "-c", "exit 1"], backoffMin: .milliseconds(100), backoffMax: .seconds(10),
                        healthyAfter: .seconds(10), failAfter: 3),
        ]))
        try await Task.sleep(for: .milliseconds(1600))
        let status = runner.status()
        // 100 + 200 + 400 + 800 ms (±20 %) fit about 4–5 restarts into 1.6 s; a busy loop would do thousands.
        #expect(status.stages[0].restarts >= 3 && status.stages[0].restarts <= 6, "\(status.stages[0].restarts) restarts")
        #expect(status.checkpoint == 0)
        try await Task.sleep(for: .milliseconds(1000))
        #expect(runner.status().stages[0].failed)
        _ = await harness.stop(runner)
    }

    @Test("a stage whose command does not exist is retried with backoff and reported failed")
    func missingCommand() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "nope", command: ["hookpipe-no-such-command"], backoffMin: .milliseconds(50), backoffMax: .milliseconds(200),
                        failAfter: 2),
        ]))
        #expect(await harness.wait(.seconds(5)) { runner.status().stages[0].failed })
        #expect(runner.degraded)
        // Each failed start counts as a restart (status showed RESTARTS 0 after seven).
        #expect(runner.status().stages[0].restarts >= 2)
        _ = await harness.stop(runner)
    }

    @Test("delays are logged in whole milliseconds")
    func delayFormat() {
        #expect(ChainRunner.milliseconds(.nanoseconds(113_883_006)) == "114ms")
        #expect(ChainRunner.milliseconds(.seconds(2)) == "2000ms")
    }

    @Test("a slow-starting stage at the in-flight bound is not drained before it can answer")
    func slowStarterAtBound() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(200)
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "slow-start", command: ["sh", "-c", "sleep 0.2; exec cat"]),
        ]) { $0.maxInFlight = 16 })
        // The last event stays held until the stage is drained once the chain is idle.
        #expect(await harness.wait(.seconds(20)) { runner.status().checkpoint >= 199 })
        #expect(runner.status().stages[0].restarts == 0)
        #expect(runner.status().stages[0].drains == 0, "drained while starting up")
        #expect(await harness.wait(.seconds(20)) { runner.status().checkpoint == 200 })
        _ = await harness.stop(runner)
        #expect(harness.outputSeqs() == Array(1...200))
    }

    @Test("a stage flooding stderr does not stall the chain")
    func stderrFlood() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(20)
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "noisy", command: ["sh", "-c", #"while IFS= read -r l; do yes "noise noise noise" | head -n 20000 >&2; printf '%s\n' "$l"; done"#]),
        ]))
        #expect(await harness.wait(.seconds(30)) { runner.status().checkpoint == 20 })
        _ = await harness.stop(runner)
        #expect(harness.outputSeqs() == Array(1...20))
    }

    @Test("graceful stop drains what is in flight and persists the checkpoint")
    func gracefulStop() async throws {
        let harness = try ChainHarness()
        defer { harness.remove() }
        try await harness.addEvents(200)
        let runner = try await harness.start(harness.chain([
            StageConfig(name: "slow", command: ["python3", "-u", "-c",
                                                "import sys,time\nfor l in sys.stdin:\n    time.sleep(0.002); sys.stdout.write(l); sys.stdout.flush()"]),
            StageConfig(name: "sink", command: ["sh", "-c", "cat > /dev/null"]),
        ]) { $0.maxInFlight = 64 })
        #expect(await harness.wait { runner.status().fed >= 64 })
        #expect(await harness.stop(runner))
        let saved = try await harness.store.checkpoint(ChainRunner.consumer)
        #expect(saved == runner.status().fed)
        #expect(saved >= 64)
    }
}
