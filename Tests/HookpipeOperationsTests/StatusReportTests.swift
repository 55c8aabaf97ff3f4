import Foundation
import HookpipeDaemon
import HookpipeJSON
import HookpipeOperations
import Testing

@Suite("StatusReport")
struct StatusReportTests {
    func snapshot(running: Bool = true, pid: Int32 = getpid(), failed: Bool = false) -> StatusSnapshot {
        StatusSnapshot(pid: pid, running: running, startedAtMicros: 0, updatedAtMicros: 1_000_000, listener: "http://127.0.0.1:8080",
                       sources: ["stripe"], lastSeq: 5, checkpoint: 5, storeCheck: "ok", backlog: 0,
                       chain: .init(inFlight: 1, invalidLines: 0, deadLettered: 2, stages: [
                           .init(name: "normalize", phase: "running", pid: 4243, restarts: 1, drains: 3, failed: false, held: 0, linesIn: 9, linesOut: 9),
                           .init(name: "archive", phase: "backoff", pid: nil, restarts: 6, drains: 0, failed: failed, held: 0, linesIn: 9, linesOut: 8),
                       ]))
    }

    func report(_ snapshot: StatusSnapshot?, live: Bool, checkpoint: Int64? = 7) -> StatusReport {
        StatusReport(snapshot: snapshot, live: live, storePath: "/s/hookpipe.sqlite", lastSeq: 10, checkpoint: checkpoint, deadLetters: 1,
                     stages: ["normalize", "archive"])
    }

    @Test("running and healthy: exit 0, stage table and store numbers")
    func running() throws {
        let report = report(snapshot(), live: true)
        #expect(report.state == .running)
        #expect(report.exitCode == 0)
        #expect(report.backlog == 3)
        let text = report.text()
        #expect(text.hasPrefix("hookpipe: running; pid \(getpid()), up since 1970-01-01T00:00:00.000000Z, listening on http://127.0.0.1:8080\n"))
        #expect(text.contains("checkpoint:    7 (backlog 3)"))
        #expect(text.contains("dead letters:  1 (see hookpipe dlq list)"))
        #expect(text.contains("archive    backoff  -     6"))
        let json = try JSONDocument.parse(report.json()).get()
        #expect(json.scalarText(at: "/state") == "running")
        #expect(json.scalarText(at: "/backlog") == "3")
        #expect(json.scalarText(at: "/chain/stages/1/restarts") == "6")
        #expect(json.scalarText(at: "/exit_code") == "0")
    }

    @Test("a failed stage is degraded: exit 2")
    func degraded() {
        let report = report(snapshot(failed: true), live: true)
        #expect(report.state == .degraded(["archive"]))
        #expect(report.exitCode == 2)
        #expect(report.text().hasPrefix("hookpipe: DEGRADED, failing: archive; pid"))
        #expect(report.text().contains("FAILED (backoff)"))
    }

    @Test("not running: exit 3, with why; the store's numbers still shown, the stale chain not")
    func notRunning() throws {
        let stopped = report(snapshot(running: false), live: false)
        #expect(stopped.exitCode == 3)
        #expect(stopped.state == .notRunning("stopped at 1970-01-01T00:00:01.000000Z (pid \(getpid()))"))
        #expect(stopped.text().contains("last seq:      10"))
        #expect(stopped.text().contains("stages:       normalize, archive (state unknown while the daemon is down)"))
        #expect(!stopped.text().contains("PHASE"))
        let json = try JSONDocument.parse(stopped.json()).get()
        #expect(json.scalarText(at: "/state") == "not_running")
        #expect(json.scalarText(at: "/chain/in_flight") == nil)
        #expect(json.scalarText(at: "/last_seq") == "10")

        // A pid that cannot exist: the daemon was killed.
        guard case .notRunning(let gone) = report(snapshot(pid: Int32.max), live: false).state else { Issue.record("not running"); return }
        #expect(gone.contains("is gone"))
        // Our own pid, but this process started long after the snapshot's daemon: a reused pid.
        guard case .notRunning(let reused) = report(snapshot(), live: false).state else { Issue.record("not running"); return }
        #expect(reused.contains("now belongs to another process"))
        guard case .notRunning(let never) = report(nil, live: false).state else { Issue.record("not running"); return }
        #expect(never.contains("no status.json"))
    }

    @Test("the daemon's own process with a stale status.json is running (degraded, exit 2), not 'not running'")
    func stale() throws {
        let report = StatusReport(snapshot: snapshot(), writer: .stale, storePath: "/s/hookpipe.sqlite", lastSeq: 10, checkpoint: 7,
                                  deadLetters: 0, stages: ["normalize", "archive"], diskFreeBytes: 50 << 20)
        #expect(report.exitCode == 2)
        #expect(report.isRunning)
        #expect(report.text().hasPrefix("hookpipe: running, but status.json is stale: pid \(getpid()) (the same process)"))
        #expect(!report.text().contains("PHASE"), "a stale report's stage table is not shown as current")
        let json = try JSONDocument.parse(report.json()).get()
        #expect(json.scalarText(at: "/state") == "running_stale")
        #expect(String(decoding: report.json(), as: UTF8.self).contains(#""store_full":false"#))
    }

    @Test("a full store disk is reported, and a running daemon on it is degraded: exit 2")
    func storeFull() throws {
        let report = StatusReport(snapshot: snapshot(), writer: .live, storePath: "/s/hookpipe.sqlite", lastSeq: 10, checkpoint: 7,
                                  deadLetters: 0, stages: ["normalize", "archive"], diskFreeBytes: 12 << 10)
        #expect(report.state == .running)
        #expect(report.exitCode == 2)
        #expect(report.text().contains("store disk:    FULL (12 KiB free)"))
        let json = try JSONDocument.parse(report.json()).get()
        #expect(String(decoding: report.json(), as: UTF8.self).contains(#""store_full":true"#))
        #expect(json.scalarText(at: "/store_disk_free_bytes") == "12288")
    }

    @Test("without a chain there is no checkpoint")
    func noChain() throws {
        let report = StatusReport(snapshot: nil, live: false, storePath: "/s", lastSeq: 4, checkpoint: nil, deadLetters: 0, stages: [])
        #expect(report.backlog == nil)
        #expect(report.text().contains("checkpoint:    none (no [[stage]] configured"))
        let json = try JSONDocument.parse(report.json()).get()
        #expect(json.scalarText(at: "/checkpoint") == nil)
    }
}
