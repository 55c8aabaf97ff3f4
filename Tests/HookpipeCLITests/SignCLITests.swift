import Foundation
import Testing

/// `hookpipe sign` as a new user meets it (issue 26, first hour, item 2).
@Suite("hookpipe binary: sign")
struct SignCLITests {
    static let body = #"{"id":"evt_sign_1","type":"payment_intent.succeeded"}"#

    @Test("--send with no daemon listening: exit 1 and one clear line on stderr, not Foundation's error dump")
    func daemonDown() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let result = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--data", Self.body, "--send"])
        #expect(result.status == 1)
        let expected = "hookpipe: cannot send to http://127.0.0.1:\(workspace.port)/hooks/stripe: connection refused; "
            + "is the daemon running and listening there? (hookpipe status)\n"
        #expect(result.stderr == expected, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }

    @Test("--url with a trailing slash (or a path prefix) joins the source's path with one slash")
    func urlJoining() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        for (base, target) in [
            ("http://127.0.0.1:9/", "http://127.0.0.1:9/hooks/stripe"),
            ("http://127.0.0.1:9", "http://127.0.0.1:9/hooks/stripe"),
            ("https://hooks.example.com/ingest//", "https://hooks.example.com/ingest/hooks/stripe"),
        ] {
            let printed = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--data", Self.body,
                                                  "--url", base])
            #expect(printed.status == 0, "\(printed.stderr)")
            #expect(printed.stdout.hasPrefix("curl -sS -X POST '\(target)' \\\n"), "\(base): \(printed.stdout)")
        }
        let refused = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--data", Self.body,
                                              "--url", "127.0.0.1:9"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--url expects the receiver's base URL"), "\(refused.stderr)")
    }

    @Test("--send to a running daemon through --url with a trailing slash is accepted")
    func sendWithTrailingSlash() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        let sent = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--data", Self.body,
                                           "--url", "http://127.0.0.1:\(workspace.port)/", "--send"])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains(#"HTTP 200 {"status":"accepted""#), "\(sent.stdout)")
        #expect(daemon.stop() == 0)
    }
}
