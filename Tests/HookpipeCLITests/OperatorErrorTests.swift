import Foundation
import Testing

extension OperatorCLITests {
    /// Every operator command fails clearly, naming what is at fault, with a non-zero exit.
    @Suite("hookpipe operator commands: errors")
    struct OperatorErrorTests {
        static let commands: [[String]] = [
            ["status"], ["tail"], ["tail", "-f"], ["replay", "--from", "1"], ["inject", "--source", "stripe"],
            ["dlq", "list"], ["dlq", "show", "1"], ["dlq", "retry", "1"], ["dlq", "drop", "--all"],
        ]

        @Test("a missing configuration file: exit 1, the file named")
        func missingConfig() throws {
            for command in Self.commands {
                let result = try HookpipeBinary.run(command + ["--config", "/nonexistent/hookpipe-test.conf"], stdin: "")
                #expect(result.status == 1, "\(command)")
                #expect(result.stderr.contains("/nonexistent/hookpipe-test.conf"), "\(command): \(result.stderr)")
            }
        }

        @Test("a store that was never created: exit 1 naming it (status: exit 3), and nothing is created")
        func noStore() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            for command in Self.commands {
                let result = try workspace.hookpipe(command, stdin: "")
                if command == ["status"] {
                    #expect(result.status == 3)
                    #expect(result.stdout.contains("no store at \(workspace.directory)/state/hookpipe.sqlite"), "\(result.stdout)")
                } else {
                    #expect(result.status == 1, "\(command)")
                    #expect(result.stderr.hasPrefix("hookpipe: no store at \(workspace.directory)/state/hookpipe.sqlite"), "\(command): \(result.stderr)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: workspace.directory + "/state"))
        }

        @Test("malformed flags are usage errors (exit 64) naming the flag")
        func usage() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            for (arguments, message) in [
                (["tail", "--since", "soon"], "--since"),
                (["tail", "--lines=-1"], "-n/--lines must be 0 or more"),
                (["tail", "--from", "0"], "--from"),
                (["dlq", "show", "x"], "x"),
                (["inject"], "--source"),
            ] {
                let result = try workspace.hookpipe(arguments, stdin: "")
                #expect(result.status == 64, "\(arguments)")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
        }

        @Test("every operator command has --help with examples")
        func help() throws {
            for command in [["status"], ["tail"], ["replay"], ["inject"], ["dlq"], ["dlq", "list"], ["dlq", "show"], ["dlq", "retry"], ["dlq", "drop"]] {
                let result = try HookpipeBinary.run(command + ["--help"])
                #expect(result.status == 0, "\(command)")
                #expect(result.stdout.contains("Examples:"), "\(command)")
                #expect(result.stdout.contains("hookpipe \(command.joined(separator: " "))"), "\(command)")
            }
        }
    }
}
