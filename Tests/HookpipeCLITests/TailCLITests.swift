import Foundation
import Testing

extension OperatorCLITests {
    /// `hookpipe tail`: filters, and following a running daemon's store.
    @Suite("hookpipe tail")
    struct TailCLITests {
        @Test("the last lines, by source, since a time and from a seq, as envelopes")
        func filters() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("s", 12))
            _ = try workspace.hookpipe(["inject", "--source", "mercadopago"], stdin: OperatorWorkspace.lines("m", 3))

            let last = try workspace.hookpipe(["tail"])
            #expect(last.status == 0, "\(last.stderr)")
            let objects = OperatorWorkspace.objects(last.stdout)
            #expect(objects.map { "\($0["seq"]!)" } == (6...15).map(String.init))
            #expect(last.stdout.split(separator: "\n").first?.hasPrefix(#"{"seq":6,"id":"s6","source":"stripe","received_at":""#) == true,
                    "\(last.stdout)")
            #expect(has(objects[0]["payload"] as? [String: Any] ?? [:], "id", "s6"))

            let bySource = try workspace.hookpipe(["tail", "-n", "2", "--source", "mercadopago"])
            #expect(OperatorWorkspace.objects(bySource.stdout).map { "\($0["id"]!)" } == ["m2", "m3"])
            let since = try workspace.hookpipe(["tail", "--since", "10m"])
            #expect(OperatorWorkspace.objects(since.stdout).count == 15)
            let future = try workspace.hookpipe(["tail", "--since", "2999-01-01T00:00:00Z"])
            #expect(future.status == 0)
            #expect(future.stdout.isEmpty)
            let from = try workspace.hookpipe(["tail", "--from", "14"])
            #expect(OperatorWorkspace.objects(from.stdout).map { "\($0["seq"]!)" } == ["14", "15"])
            let unknown = try workspace.hookpipe(["tail", "--source", "strpe"])
            #expect(unknown.status == 0)
            #expect(unknown.stderr.contains(#"note: no source named "strpe""#), "\(unknown.stderr)")
            #expect(daemon.stop() == 0)
        }

        /// A running `hookpipe tail -f`, its stdout read as it comes.
        final class Follower {
            let process = Process()
            let out = Pipe()
            let stdout: ReadAll
            let stderr: ReadAll

            init(_ workspace: OperatorWorkspace, _ arguments: [String]) throws {
                process.executableURL = URL(fileURLWithPath: HookpipeBinary.path)
                process.arguments = ["tail", "-f"] + arguments + ["--config", workspace.config]
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                try process.run()
                stdout = ReadAll(out.fileHandleForReading)
                stderr = ReadAll(err.fileHandleForReading)
            }

            /// Waits (bounded) for the process to exit; kills it if it does not.
            func exitStatus(within seconds: TimeInterval = 10) -> Int32? {
                let deadline = Date().addingTimeInterval(seconds)
                while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    return nil
                }
                return process.terminationStatus
            }
        }

        @Test("-f prints events stored later by another process, and SIGTERM or SIGINT end it with exit 0")
        func follow() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("old", 2))
            for signal in [SIGTERM, SIGINT] {
                let follower = try Follower(workspace, ["-n", "0", "--source", "stripe"])
                defer { if follower.process.isRunning { kill(follower.process.processIdentifier, SIGKILL) } }
                // Given time to take its starting point, it must not print what was already stored.
                Thread.sleep(forTimeInterval: 0.5)
                _ = try workspace.hookpipe(["inject", "--source", "mercadopago"], stdin: OperatorWorkspace.lines("mp\(signal)-", 1))
                _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("new\(signal)-", 2))
                #expect(workspace.waitFor(timeout: 20) { OperatorWorkspace.objects(follower.stdout.snapshot()).count == 2 },
                        "\(follower.stdout.snapshot())\(follower.stderr.snapshot())")
                kill(follower.process.processIdentifier, signal)
                #expect(follower.exitStatus() == 0)
                #expect(OperatorWorkspace.objects(follower.stdout.text()).map { "\($0["id"]!)" } == ["new\(signal)-1", "new\(signal)-2"])
                #expect(follower.stderr.text().isEmpty)
            }
            #expect(daemon.stop() == 0)
        }

        @Test("-f ends quietly with exit 0 when the reader of its output goes away")
        func closedOutput() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("e", 3))
            // `head -n 1` reads one line and exits; tail notices (EPIPE, or poll while idle).
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "('\(HookpipeBinary.path)' tail -f --config '\(workspace.config)' 2>tail.err; echo $? >tail.status) | head -n 1"]
            shell.currentDirectoryURL = URL(fileURLWithPath: workspace.directory)
            let out = Pipe()
            shell.standardOutput = out
            try shell.run()
            let output = ReadAll(out.fileHandleForReading)
            let deadline = Date().addingTimeInterval(20)
            while shell.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(!shell.isRunning, "tail -f kept running after its reader exited")
            if shell.isRunning { shell.terminate() }
            shell.waitUntilExit()
            #expect(OperatorWorkspace.objects(output.text()).count == 1)
            let errors = (try? String(contentsOfFile: workspace.directory + "/tail.err", encoding: .utf8)) ?? "missing"
            #expect(errors.isEmpty, "\(errors)")
            let status = (try? String(contentsOfFile: workspace.directory + "/tail.status", encoding: .utf8)) ?? "missing"
            #expect(status == "0\n")
            #expect(daemon.stop() == 0)
        }
    }
}
