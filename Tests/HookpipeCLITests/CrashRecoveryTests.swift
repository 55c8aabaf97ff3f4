import Foundation
import Testing

/// `kill -9` of the daemon while events are being received and processed.
@Suite("hookpipe binary: kill -9", .serialized)
struct CrashRecoveryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    @Test("every acknowledged event comes out of the chain after kill -9 and restart; duplicates only from what was in flight")
    func killNineAndRestart() throws {
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: """

            [chain]
            output = "file:out.ndjson"
            max_in_flight = 32
            flush_after = "300ms"
            checkpoint_interval = "50ms"

            [[stage]]
            name = "slow"
            command = ["python3", "-u", "-c", "import sys,time\\nfor l in sys.stdin:\\n    time.sleep(0.003); sys.stdout.write(l); sys.stdout.flush()"]

            [[stage]]
            name = "jq"
            command = ["jq", "-c", "--unbuffered", "."]
            """)
        defer { workspace.remove() }
        let acks = workspace.directory + "/acks.txt"
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sender.arguments = ["python3", Self.fixtures + "/send_events.py", String(workspace.port), "whsec_cli_test_secret", "300", acks, "90", "0.002"]
        var daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        try sender.run()

        // Kill the daemon twice while events arrive and flow, restarting it each time.
        for round in 1...2 {
            let target = 80 * round
            let deadline = Date().addingTimeInterval(60)
            while Self.lines(acks).count < target && Date() < deadline && sender.isRunning { Thread.sleep(forTimeInterval: 0.01) }
            kill(daemon.process.processIdentifier, SIGKILL)
            daemon.process.waitUntilExit()
            #expect(daemon.process.terminationReason == .uncaughtSignal)
            daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
            try daemon.waitUntilListening()
        }
        sender.waitUntilExit()
        let acknowledged = Set(Self.lines(acks))
        #expect(acknowledged.count == 300)

        let out = workspace.directory + "/out.ndjson"
        let deadline = Date().addingTimeInterval(60)
        var delivered: [String] = []
        while Date() < deadline {
            delivered = Self.lines(out).compactMap { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["id"] as? String
            }
            if acknowledged.isSubset(of: Set(delivered)) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let missing = acknowledged.subtracting(delivered)
        #expect(missing.isEmpty, "acknowledged but never delivered: \(missing.sorted().prefix(20))")
        let duplicates = delivered.count - Set(delivered).count
        // Only events in flight at a kill (at most max_in_flight = 32) or settled
        // since the last checkpoint (50 ms of output) can come out twice.
        #expect(duplicates <= 2 * 64, "\(duplicates) duplicates")
        #expect(daemon.stop() == 0)
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
