import Foundation
import Testing

/// Usage errors name the subcommand, exit 64 everywhere, and help examples
/// survive copy and paste (issue 26, first hour, items 4 and 5).
@Suite("hookpipe binary: usage errors and help")
struct CommandUsageTests {
    @Test("a bad argument to sign, tail, replay or inject prints that subcommand's usage (not the top level's) and exits 64")
    func subcommandUsage() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let cases: [(arguments: [String], message: String)] = [
            (["sign", "--source", "nope", "--data", "{}"], #"no source named "nope" in "#),
            (["sign", "--source", "stripe", "--data", "not json"], "the body is not valid JSON"),
            (["sign", "--source", "stripe", "--body", workspace.directory + "/missing.json"], "cannot read the body file"),
            (["sign", "--source", "stripe", "--data", "{}", "--query", "novalue"], "--query expects NAME=VALUE"),
            (["tail", "--since", "yesterday"], #"--since "yesterday" is not"#),
            (["replay", "--since", "yesterday"], #"--since "yesterday" is not"#),
            (["inject", "--source", "nope"], #"no source named "nope" in "#),
        ]
        for (arguments, message) in cases {
            let result = try HookpipeBinary.run(arguments + ["--config", workspace.config], stdin: "")
            let command = arguments[0]
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("Error: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("Usage: hookpipe \(command) "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("See 'hookpipe \(command) --help'"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("<subcommand>"), "\(arguments): \(result.stderr)")
        }
    }

    @Test("sign and inject agree: an unknown source is a usage error (64) naming the configured ones")
    func unknownSourceAgrees() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let sign = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "nope", "--data", "{}"])
        let inject = try HookpipeBinary.run(["inject", "--config", workspace.config, "--source", "nope"], stdin: "")
        #expect(sign.status == 64 && inject.status == 64)
        for result in [sign, inject] {
            #expect(result.stderr.contains("configured: stripe, mercadopago"), "\(result.stderr)")
        }
    }

    @Test("help examples fit 80 columns: every line of an example is a command or continues one ending in a backslash")
    func examplesDoNotWrap() throws {
        for command in [["run"], ["check"], ["sign"], ["status"], ["tail"], ["replay"], ["inject"], ["dlq"], ["dlq", "retry"]] {
            let help = try HookpipeBinary.run(command + ["--help"], environment: ["COLUMNS": "80"])
            #expect(help.status == 0)
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(where: { $0.hasSuffix("Example:") || $0.hasSuffix("Examples:") }) else {
                Issue.record("\(command): no examples")
                continue
            }
            let examples = lines[(start + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            var continued = false
            for line in examples {
                let text = line.trimmingCharacters(in: .whitespaces)
                let startsCommand = text.hasPrefix("hookpipe ") || text.range(of: #"^[a-z][a-z0-9-]* .*\| *hookpipe "#,
                                                                               options: .regularExpression) != nil
                #expect(continued || startsCommand, "\(command): this line is a broken-off piece of a command: \(line)")
                continued = text.hasSuffix("\\")
            }
        }
    }
}
