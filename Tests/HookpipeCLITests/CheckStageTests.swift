import Foundation
import Testing

/// `hookpipe check` looks at every stage's command as the daemon would
/// start it (issue 26, first hour, item 3).
@Suite("hookpipe binary: check and the chain's commands")
struct CheckStageTests {
    /// A workspace whose one stage is `stage` (TOML lines of a `[[stage]]` table).
    static func check(stage: String, environment: [String: String] = [:]) throws -> HookpipeBinary.Result {
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: """

            [[stage]]
            name = "first"
            \(stage)
            """)
        defer { workspace.remove() }
        return try HookpipeBinary.run(["check", "--config", workspace.config], environment: environment)
    }

    @Test("a command that is not on PATH fails the check (exit 1), naming the stage, the command and the PATH searched")
    func notOnPath() throws {
        let result = try Self.check(stage: #"command = ["hookpipe-no-such-handler", "-x"]"#, environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"[[stage]] "first": command 'hookpipe-no-such-handler' not found in PATH '/usr/bin:/bin'"#),
                "\(result.stderr)")
        #expect(result.stderr.contains("PATH from the PATH hookpipe runs with"), "\(result.stderr)")
        #expect(!result.stdout.contains("configuration OK"))
    }

    @Test("the stage's own PATH is the one searched: found there it passes, missing there it fails even if the shell has it")
    func stagePath() throws {
        let found = try Self.check(stage: #"command = ["cat"]"# + "\nenvironment = { PATH = \"/bin:/usr/bin\" }")
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.contains("configuration OK"))
        let missing = try Self.check(stage: #"command = ["cat"]"# + "\nenvironment = { PATH = \"/nonexistent-hookpipe\" }")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not found in PATH '/nonexistent-hookpipe' (PATH from the stage's environment)"),
                "\(missing.stderr)")
    }

    @Test("a relative command path that does not exist under the working directory fails the check")
    func missingScript() throws {
        let result = try Self.check(stage: #"command = ["plugins/no-such.py"]"#)
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"[[stage]] "first": command 'plugins/no-such.py' does not exist"#), "\(result.stderr)")
    }
}
