import Foundation
import Testing

/// One daemon per state directory, and no stage outliving its daemon.
@Suite("hookpipe binary: state directory", .serialized)
struct StateDirectoryTests {
    @Test("a second daemon on the same state directory refuses to start, naming the first")
    func secondDaemonRefused() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let first = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try first.waitUntilListening()
        let other = try String(contentsOfFile: workspace.config, encoding: .utf8)
            .replacingOccurrences(of: "port = \(workspace.port)", with: "port = \(try freePort())")
        try other.write(toFile: workspace.directory + "/second.conf", atomically: false, encoding: .utf8)
        let second = try HookpipeBinary.run(["run", "--config", workspace.directory + "/second.conf"], timeout: 30)
        #expect(second.status == 1)
        #expect(second.stderr.contains("another hookpipe (pid \(first.process.processIdentifier))"), "\(second.stderr)")
        #expect(first.stop() == 0)
        // Once the first is gone (even without cleanup), the directory is free.
        let again = try DaemonEndToEndTests.Daemon(config: workspace.directory + "/second.conf")
        try again.waitUntilListening()
        #expect(again.stop() == 0)
    }

    @Test("after kill -9, a hung stage left over from the previous run is stopped at the next start")
    func leftoverStageStopped() throws {
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: """

            [chain]
            drain_timeout = "1s"

            [[stage]]
            name = "hung"
            command = ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"]
            """)
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        // status.json names the stage's pid within a second or two.
        var stagePid: Int32?
        let deadline = Date().addingTimeInterval(20)
        while stagePid == nil && Date() < deadline {
            if let data = FileManager.default.contents(atPath: workspace.directory + "/state/status.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let chain = object["chain"] as? [String: Any], let stages = chain["stages"] as? [[String: Any]],
               let pid = stages.first?["pid"] as? Int {
                stagePid = Int32(pid)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let pid = try #require(stagePid)
        kill(daemon.process.processIdentifier, SIGKILL)
        daemon.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(kill(pid, 0) == 0, "the hung stage should have outlived the killed daemon")
        let restarted = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try restarted.waitUntilListening()
        let gone = Date().addingTimeInterval(10)
        while Self.alive(pid) && Date() < gone { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!Self.alive(pid), "leftover stage \(pid) still running")
        #expect(restarted.stderr.snapshot().contains("stopping a stage process left over from the previous run"))
        // The new status.json (its pid) shows the service group runs and handles SIGTERM.
        let serving = Date().addingTimeInterval(10)
        while Date() < serving && !((try? String(contentsOfFile: workspace.directory + "/state/status.json", encoding: .utf8))?
            .contains("\"pid\":\(restarted.process.processIdentifier)") ?? false) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(restarted.stop() == 0)
    }

    /// Running, and not a zombie waiting for init to reap it.
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }
}
