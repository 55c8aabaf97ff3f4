import Foundation
import Testing

extension OperatorCLITests {
    /// `hookpipe replay` next to a running daemon.
    @Suite("hookpipe replay")
    struct ReplayCLITests {
        @Test("replayed copies come out of the chain again with replay_of; --dry-run stores nothing; an empty selection exits 1")
        func replay() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let injected = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("evt_r", 3))
            #expect(injected.status == 0, "\(injected.stderr)")
            #expect(workspace.waitFor { workspace.outputObjects().count == 3 }, "\(workspace.outputObjects())")

            let dryRun = try workspace.hookpipe(["replay", "--id", "evt_r2", "--source", "stripe", "--dry-run"])
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("SEQ  SOURCE  RECEIVED"), "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("evt_r2"))
            #expect(dryRun.stdout.contains("would replay 1 event (dry run: nothing stored)"), "\(dryRun.stdout)")

            let range = try workspace.hookpipe(["replay", "--from", "1", "--to", "2"])
            #expect(range.status == 0, "\(range.stderr)")
            #expect(range.stdout == "replayed 2 events as seq 4–5\n", "\(range.stdout)")
            #expect(workspace.waitFor { workspace.outputObjects().count == 5 }, "\(workspace.outputObjects())")
            let copies = workspace.outputObjects().filter { $0["replay_of"] != nil }
            #expect(copies.map { "\($0["replay_of"]!)" } == ["1", "2"])
            #expect(copies.map { "\($0["seq"]!)" } == ["4", "5"])
            #expect(copies.map { "\($0["id"]!)" } == ["evt_r1", "evt_r2"])

            // --since selects the copies too, but only what was stored when the command started.
            let since = try workspace.hookpipe(["replay", "--since", "1h"])
            #expect(since.stdout == "replayed 5 events as seq 6–10\n", "\(since.stdout)\(since.stderr)")
            #expect(workspace.waitFor { workspace.outputObjects().count == 10 })

            let none = try workspace.hookpipe(["replay", "--id", "evt_nope"])
            #expect(none.status == 1)
            #expect(none.stderr == "hookpipe: no stored event matches id \"evt_nope\"; nothing to replay\n", "\(none.stderr)")
            #expect(daemon.stop() == 0)
        }

        @Test("selector mistakes are usage errors (exit 64) that say what to do")
        func usage() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            for (arguments, message) in [
                ([String](), "exactly one of --from SEQ, --id ID or --since T"),
                (["--from", "1", "--id", "x"], "exactly one of --from SEQ, --id ID or --since T"),
                (["--id", "x", "--to", "3"], "--to needs --from"),
                (["--from", "5", "--to", "3"], "--to 3 is before --from 5"),
                (["--since", "last tuesday"], #"--since "last tuesday" is not an RFC 3339 time"#),
            ] {
                let result = try workspace.hookpipe(["replay"] + arguments)
                #expect(result.status == 64, "\(arguments)")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
        }
    }
}
