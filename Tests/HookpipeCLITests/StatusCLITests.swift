import Foundation
import Testing

extension OperatorCLITests {
    /// `hookpipe status` with the daemon up, degraded, down, and never started.
    @Suite("hookpipe status")
    struct StatusCLITests {
        @Test("running: exit 0 with the stages; after SIGTERM: exit 3, the store's numbers still shown")
        func upAndDown() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let never = try workspace.hookpipe(["status"])
            #expect(never.status == 3)
            #expect(never.stdout.hasPrefix("hookpipe: not running: no store at "), "\(never.stdout)")

            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("evt_s", 4))
            #expect(workspace.waitFor { workspace.outputObjects().count == 4 })
            var running = try workspace.hookpipe(["status"])
            // The checkpoint is saved every 50 ms; status.json is rewritten every second.
            workspace.waitFor(interval: 0.5) {
                running = (try? workspace.hookpipe(["status"])) ?? running
                return running.stdout.contains("checkpoint:    4 (backlog 0)") && running.stdout.contains("picky  running")
            }
            #expect(running.status == 0, "\(running.stderr)")
            #expect(running.stdout.hasPrefix("hookpipe: running; pid \(daemon.process.processIdentifier), up since "), "\(running.stdout)")
            #expect(running.stdout.contains("last seq:      4"), "\(running.stdout)")
            #expect(running.stdout.contains("checkpoint:    4 (backlog 0)"), "\(running.stdout)")
            #expect(running.stdout.contains("STAGE  PHASE"), "\(running.stdout)")
            let json = try workspace.hookpipe(["status", "--json"])
            let object = try #require(OperatorWorkspace.objects(json.stdout).first)
            #expect(has(object, "state", "running"))
            #expect(has(object, "last_seq", "4"))
            #expect(has(object, "dead_letters", "0"))
            #expect(((object["chain"] as? [String: Any])?["stages"] as? [[String: Any]])?.first.map { has($0, "name", "picky") } == true)

            #expect(daemon.stop() == 0)
            let stopped = try workspace.hookpipe(["status"])
            #expect(stopped.status == 3)
            #expect(stopped.stdout.hasPrefix("hookpipe: not running: stopped at "), "\(stopped.stdout)")
            #expect(stopped.stdout.contains("last seq:      4"))
            #expect(stopped.stdout.contains("stages:       picky (state unknown while the daemon is down)"))
            let stoppedJSON = try #require(OperatorWorkspace.objects(try workspace.hookpipe(["status", "--json"]).stdout).first)
            #expect(has(stoppedJSON, "state", "not_running"))
            #expect(stoppedJSON["chain"] == nil)
        }

        @Test("killed: exit 3 and says the pid is gone")
        func killed() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            kill(daemon.process.processIdentifier, SIGKILL)
            daemon.process.waitUntilExit()
            let status = try workspace.hookpipe(["status"])
            #expect(status.status == 3)
            #expect(status.stdout.contains("is gone (crashed or killed)"), "\(status.stdout)")
        }

        @Test("a crash-looping stage makes the daemon degraded: exit 2")
        func degraded() throws {
            let workspace = try OperatorWorkspace(stage: #"command = ["sh", "-c", "exit 1"]"#, stageExtra: "fail_after = 1")
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            var status = try workspace.hookpipe(["status"])
            workspace.waitFor(interval: 0.5) {
                status = (try? workspace.hookpipe(["status"])) ?? status
                return status.status == 2
            }
            #expect(status.status == 2, "\(status.stdout)")
            #expect(status.stdout.hasPrefix("hookpipe: DEGRADED, failing: picky; pid"), "\(status.stdout)")
            #expect(status.stdout.contains("FAILED"), "\(status.stdout)")
            #expect(daemon.stop() == 0)
        }
    }
}
