import Foundation
import Testing

/// `status.json` is replaced so that a crash leaves the old snapshot or the
/// new one, never a torn file (issue 22): checked at the system-call level
/// with strace on the running daemon (needs ptrace rights, hence root).
@Suite("hookpipe binary: status.json durability", .serialized)
struct StatusFileDurabilityTests {
    @Test("status.json.tmp is fsync'd before it is renamed over status.json, and the state directory is fsync'd after",
          .enabled(if: geteuid() == 0))
    func syncedRename() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let trace = workspace.directory + "/strace.txt"
        let strace = Process()
        strace.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        strace.arguments = ["strace", "-f", "-qq", "-y", "-e", "trace=fsync,rename,renameat,renameat2", "-o", trace,
                            HookpipeBinary.path, "run", "--config", workspace.config]
        strace.standardOutput = FileHandle.nullDevice
        strace.standardError = FileHandle.nullDevice
        try strace.run()
        let status = workspace.directory + "/state/status.json"
        var pid: Int32?
        let deadline = Date().addingTimeInterval(60)
        // Two snapshots at least: the first can be written before the trace settles.
        while Date() < deadline {
            if let text = try? String(contentsOfFile: trace, encoding: .utf8),
               text.components(separatedBy: "status.json\"").count > 2,
               let data = FileManager.default.contents(atPath: status),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                pid = (object["pid"] as? NSNumber)?.int32Value
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let daemon = try #require(pid, "the daemon wrote no status.json under strace")
        kill(daemon, SIGTERM)
        let stopBy = Date().addingTimeInterval(30)
        while strace.isRunning && Date() < stopBy { Thread.sleep(forTimeInterval: 0.05) }
        if strace.isRunning { kill(daemon, SIGKILL) }
        strace.waitUntilExit()

        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let renames = lines.indices.filter { lines[$0].contains("status.json.tmp\", ") && lines[$0].contains("= 0") }
        #expect(renames.count >= 2, "no rename of status.json.tmp in:\n\(lines.joined(separator: "\n"))")
        var previous = -1
        for rename in renames {
            let before = lines[(previous + 1)..<rename]
            #expect(before.contains { $0.contains("fsync(") && $0.contains("status.json.tmp>") },
                    "status.json.tmp was renamed without an fsync first:\n\(before.joined(separator: "\n"))\n\(lines[rename])")
            let after = lines[(rename + 1)...].prefix { !$0.contains("status.json.tmp\", ") }
            #expect(after.contains { $0.contains("fsync(") && $0.contains("/state>") },
                    "the state directory was not fsync'd after the rename:\n\(lines[rename])\n\(after.joined(separator: "\n"))")
            previous = rename
        }
    }
}
