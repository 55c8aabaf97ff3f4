import Foundation
import Testing

/// What a handler process gets from the real daemon: a clean environment,
/// and its argv as written (a shell only with `shell = true`).
@Suite("hookpipe binary: handler isolation", .serialized)
struct HandlerIsolationTests {
    /// Polls (bounded) until `condition` holds.
    static func wait(_ seconds: TimeInterval = 30, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    @Test("a handler sees only the documented variables: none of the daemon's, and not its secrets")
    func cleanEnvironment() throws {
        let secret = "gh-env-secret-for-isolation-6c1f"
        // Writes its environment as JSON into the state directory, then passes lines on.
        // Perl by absolute path: a version-manager shim (pyenv's python3) would add variables of its own.
        let dump = """
            my $dir = $ENV{HOOKPIPE_STATE_DIR};
            open(my $f, ">", "$dir/stage-env.json.tmp") or die "$!"; print $f encode_json({%ENV}); close($f);
            rename("$dir/stage-env.json.tmp", "$dir/stage-env.json") or die "$!";
            $| = 1; print while <STDIN>;
            """
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: """

            [[source]]
            name = "github"
            path = "/hooks/github"
            scheme = "github"
            secrets = ["env:HOOKPIPE_ISOLATION_SECRET"]

            [[stage]]
            name = "envdump"
            command = ["/usr/bin/perl", "-MJSON::PP", "-e", '''\(dump)''']
            environment = { STAGE_SETTING = "from-config" }
            """)
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config, environment: [
            "HOOKPIPE_ISOLATION_SECRET": secret, "DAEMON_ONLY_VARIABLE": "daemon-only-value",
        ])
        try daemon.waitUntilListening()
        let dumped = workspace.directory + "/state/stage-env.json"
        #expect(Self.wait { FileManager.default.fileExists(atPath: dumped) }, "\(daemon.stderr.snapshot())")
        #expect(daemon.stop() == 0)

        let data = try Data(contentsOf: URL(fileURLWithPath: dumped))
        let environment = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(Set(environment.keys) == ["PATH", "LANG", "HOOKPIPE_STAGE", "HOOKPIPE_STAGE_INDEX", "HOOKPIPE_STAGE_COUNT",
                                          "HOOKPIPE_STATE_DIR", "STAGE_SETTING"])
        #expect(environment["HOOKPIPE_STAGE"] == "envdump")
        #expect(environment["HOOKPIPE_STAGE_INDEX"] == "0")
        #expect(environment["HOOKPIPE_STAGE_COUNT"] == "1")
        #expect(environment["LANG"] == "C.UTF-8")
        #expect(environment["STAGE_SETTING"] == "from-config")
        #expect(environment["PATH"] == ProcessInfo.processInfo.environment["PATH"])
        let values = environment.values.joined(separator: "\n")
        #expect(!values.contains(secret))
        #expect(!values.contains("daemon-only-value"))
        #expect(!values.contains("whsec_cli_test_secret"))
    }

    @Test("shell metacharacters in an argv command reach the program literally; with shell = true /bin/sh runs the string")
    func noShellUnlessConfigured() throws {
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: """

            [[stage]]
            name = "literal"
            command = ["/bin/echo", "$(touch pwned-substitution)", "`touch pwned-backtick`", ";", "touch", "pwned-semicolon",
                       "&&", "touch pwned-and", "|", "touch pwned-pipe", "> pwned-redirect"]
            working_directory = "."

            [[stage]]
            name = "shell"
            command = "touch shell-ran && exec cat"
            shell = true
            working_directory = "."
            """)
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        // echo prints its arguments, which the chain refuses as not JSON and logs.
        let printed = "$(touch pwned-substitution) `touch pwned-backtick` ; touch pwned-semicolon && touch pwned-and | touch pwned-pipe"
        #expect(Self.wait { daemon.stderr.snapshot().contains(printed) }, "\(daemon.stderr.snapshot())")
        #expect(Self.wait { FileManager.default.fileExists(atPath: workspace.directory + "/shell-ran") })
        #expect(daemon.stop() == 0)

        let files = try FileManager.default.contentsOfDirectory(atPath: workspace.directory)
        #expect(files.filter { $0.hasPrefix("pwned") }.isEmpty, "\(files)")
        #expect(files.contains("shell-ran"))
    }
}
