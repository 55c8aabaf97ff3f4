import Foundation
import Testing

/// SIGHUP reloads `pipeline.conf` in the running daemon (real binary, real signals).
@Suite("hookpipe binary: reload", .serialized)
struct ReloadTests {
    static let githubSource = """

        [[source]]
        name = "github"
        path = "/hooks/github"
        scheme = "github"
        secrets = ["file:secrets/github.secret"]
        """

    /// Sends SIGHUP and waits (bounded) until the log shows the `n`-th reload outcome.
    static func reload(_ daemon: DaemonEndToEndTests.Daemon, expecting marker: String, occurrence n: Int = 1) {
        kill(daemon.process.processIdentifier, SIGHUP)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && daemon.process.isRunning
            && daemon.stderr.snapshot().components(separatedBy: marker).count - 1 < n {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    static func send(_ workspace: DaemonEndToEndTests.Workspace, source: String, body: String) throws -> String {
        let result = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", source, "--data", body, "--send"])
        return result.stdout + result.stderr
    }

    @Test("a rotated secret and a new source take effect on SIGHUP; requests signed with the old secret are refused")
    func secretsAndSources() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        #expect(try Self.send(workspace, source: "stripe", body: #"{"id":"evt_before"}"#).contains(#""status":"accepted""#))
        // A request signed with the secret in force now, sent after the rotation.
        let stale = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--data", #"{"id":"evt_stale"}"#])
        #expect(stale.status == 0)
        let unknown = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--url",
                                              "http://127.0.0.1:\(workspace.port)/hooks/github", "--data", "{}", "--send"])
        #expect(unknown.stdout.contains("HTTP 404"), "\(unknown.stdout)")

        try "whsec_rotated_secret".write(toFile: workspace.directory + "/secrets/stripe.secret", atomically: false, encoding: .utf8)
        try "gh-secret".write(toFile: workspace.directory + "/secrets/github.secret", atomically: false, encoding: .utf8)
        let handle = try #require(FileHandle(forWritingAtPath: workspace.config))
        handle.seekToEndOfFile()
        handle.write(Data(Self.githubSource.utf8))
        try handle.close()
        Self.reload(daemon, expecting: "configuration reloaded")
        let log = daemon.stderr.snapshot()
        #expect(log.contains("configuration reloaded"), "\(log)")
        #expect(log.contains("config.sources_added=github"), "\(log)")
        #expect(!log.contains("whsec_rotated_secret"))

        #expect(try Self.send(workspace, source: "stripe", body: #"{"id":"evt_after"}"#).contains(#""status":"accepted""#))
        #expect(try Self.send(workspace, source: "github", body: #"{"zen":"hi"}"#).contains(#""status":"accepted""#))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", stale.stdout]
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        let answer = ReadAll(out.fileHandleForReading).text()
        shell.waitUntilExit()
        #expect(answer.contains("signature"), "old-secret request should be refused: \(answer)")
        #expect(!answer.contains(#""status":"accepted""#))
        #expect(daemon.stop() == 0)
    }

    @Test("an invalid file on SIGHUP is rejected with a clear log line and the previous configuration keeps serving")
    func invalidConfigKeepsRunning() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        let original = try String(contentsOfFile: workspace.config, encoding: .utf8)
        for broken in [original + "\n[[source]]\nname = \"x\"\n", original + "\n[server\n",
                       original + "\n[[source]]\nname = \"gh\"\npath = \"/hooks/gh\"\nscheme = \"github\"\nsecrets = [\"env:HOOKPIPE_TEST_SURELY_UNSET\"]\n"] {
            try broken.write(toFile: workspace.config, atomically: false, encoding: .utf8)
            let rejections = daemon.stderr.snapshot().components(separatedBy: "reload rejected").count
            Self.reload(daemon, expecting: "reload rejected", occurrence: rejections)
            #expect(daemon.process.isRunning)
            #expect(daemon.stderr.snapshot().components(separatedBy: "reload rejected").count == rejections + 1,
                    "\(daemon.stderr.snapshot())")
        }
        // Still serving with the original sources and secrets (the file on disk is broken, so sign from a copy).
        try original.write(toFile: workspace.directory + "/good.conf", atomically: false, encoding: .utf8)
        let sent = try HookpipeBinary.run(["sign", "--config", workspace.directory + "/good.conf", "--source", "stripe",
                                           "--data", #"{"id":"evt_still"}"#, "--send"])
        #expect(sent.stdout.contains(#""status":"accepted""#), "\(sent.stdout)\(sent.stderr)")
        #expect(daemon.stop() == 0)
    }

    @Test("a changed stage is drained and replaced on SIGHUP while events arrive; every acknowledged event is delivered")
    func chainReplacedUnderLoad() throws {
        func chain(_ tag: Int) -> String {
            """

            [chain]
            output = "file:out.ndjson"
            flush_after = "200ms"
            checkpoint_interval = "50ms"

            [[stage]]
            name = "tag"
            command = ["jq", "-c", "--unbuffered", ". + {\\"tag\\": \(tag)}"]
            """
        }
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: chain(1))
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        let acks = workspace.directory + "/acks.txt"
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sender.arguments = ["python3", CrashRecoveryTests.fixtures + "/send_events.py", String(workspace.port), "whsec_cli_test_secret",
                            "200", acks, "60", "0.005"]
        try sender.run()
        let deadline = Date().addingTimeInterval(60)
        while CrashRecoveryTests.lines(acks).count < 60 && Date() < deadline && sender.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        let config = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try config.replacingOccurrences(of: chain(1), with: chain(2)).write(toFile: workspace.config, atomically: false, encoding: .utf8)
        Self.reload(daemon, expecting: "configuration reloaded")
        sender.waitUntilExit()
        #expect(daemon.stderr.snapshot().contains("config.chain=restarted"), "\(daemon.stderr.snapshot())")

        let acknowledged = Set(CrashRecoveryTests.lines(acks))
        #expect(acknowledged.count == 200)
        var tags: [String: Int] = [:]
        let waitEnd = Date().addingTimeInterval(30)
        while Date() < waitEnd {
            for line in CrashRecoveryTests.lines(workspace.directory + "/out.ndjson") {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                      let id = object["id"] as? String, let tag = object["tag"] as? Int else { continue }
                tags[id] = max(tags[id] ?? 0, tag)
            }
            if acknowledged.isSubset(of: Set(tags.keys)) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(acknowledged.subtracting(tags.keys).isEmpty, "lost: \(acknowledged.subtracting(tags.keys).sorted())")
        #expect(tags.values.contains(1) && tags.values.contains(2), "both chains ran: \(Set(tags.values))")
        #expect(tags["evt_199"] == 2)
        #expect(daemon.stop() == 0)
    }
}
