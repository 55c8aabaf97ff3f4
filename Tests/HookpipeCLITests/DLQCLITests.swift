import Foundation
import Testing

extension OperatorCLITests {
    /// `hookpipe dlq` with a real dead letter from a real stage.
    @Suite("hookpipe dlq")
    struct DLQCLITests {
        /// The dead letters `dlq list --json` prints.
        func letters(_ workspace: OperatorWorkspace) throws -> [[String: Any]] {
            OperatorWorkspace.objects(try workspace.hookpipe(["dlq", "list", "--json"]).stdout)
        }

        /// How many events the daemon has logged moving to the dead-letter store
        /// (watched in its log rather than by running `dlq list` over and over).
        func deadLettered(_ daemon: DaemonEndToEndTests.Daemon) -> Int {
            daemon.stderr.snapshot().components(separatedBy: "event moved to the dead-letter store").count - 1
        }

        @Test("list, show, retry (the copy comes out once the stage is fixed) and drop; unknown ids exit 1; the pending gauge follows")
        func lifecycle() throws {
            let workspace = try OperatorWorkspace.poisonous(extra: AdminEndToEndTests.admin)
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let admin = AdminEndToEndTests()
            let adminPort = try admin.adminPort(daemon)
            func pending() throws -> String? { try admin.scrape(adminPort)["hookpipe_dead_letters_pending"] }
            #expect(try pending() == "0.0")
            let empty = try workspace.hookpipe(["dlq", "list"])
            #expect(empty.status == 0)
            #expect(empty.stdout == "no dead letters\n")

            let input = #"{"id":"ok1"}"# + "\n" + #"{"id":"bad1","poison":true}"# + "\n" + #"{"id":"ok2"}"# + "\n"
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: input)
            #expect(workspace.waitFor(timeout: 60) { deadLettered(daemon) == 1 }, "no dead letter; daemon log:\n\(daemon.stderr.snapshot())")
            let letter = try #require(try letters(workspace).first)
            let id = "\(letter["id"]!)"
            #expect(has(letter, "seq", "2"))
            #expect(has(letter, "stage", "picky"))
            #expect(has(letter, "reason", "exit 3"))
            #expect(has(letter["line"] as? [String: Any] ?? [:], "id", "bad1"))
            #expect(workspace.waitFor { Set(workspace.outputObjects().compactMap { $0["id"] as? String }) == ["ok1", "ok2"] })

            let table = try workspace.hookpipe(["dlq", "list"])
            #expect(table.stdout.hasPrefix("ID  SEQ  STAGE  CREATED"), "\(table.stdout)")
            #expect(table.stdout.contains("exit 3"))
            let shown = try workspace.hookpipe(["dlq", "show", id])
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("boom: cannot handle seq 2"), "\(shown.stdout)")
            #expect(shown.stdout.contains(#""id":"bad1""#))
            #expect(try workspace.hookpipe(["status"]).stdout.contains("dead letters:  1 (see hookpipe dlq list)"))
            #expect(try pending() == "1.0")

            // Fix the stage, then retry: the copy comes out of the chain and the letter is gone.
            #expect(FileManager.default.createFile(atPath: workspace.directory + "/cured", contents: Data()))
            let retried = try workspace.hookpipe(["dlq", "retry", id])
            #expect(retried.status == 0, "\(retried.stderr)")
            #expect(retried.stdout == "dead letter \(id): event seq 2 stored again as seq 4\n", "\(retried.stdout)")
            #expect(workspace.waitFor { workspace.outputObjects().contains { has($0, "id", "bad1") && has($0, "replay_of", "2") } },
                    "\(workspace.outputObjects())")
            #expect(try letters(workspace).isEmpty)
            #expect(try pending() == "0.0")

            // Another poison event, dropped this time. The copy (seq 4) must be
            // settled first: until the stage has moved past it or been drained, a
            // crash feeds it again, and without the cure it would fail too.
            #expect(workspace.waitFor(timeout: 30, interval: 0.2) { (try? admin.scrape(adminPort)["hookpipe_chain_checkpoint"]) == "4.0" })
            try FileManager.default.removeItem(atPath: workspace.directory + "/cured")
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: #"{"id":"bad2","poison":true}"# + "\n")
            #expect(workspace.waitFor(timeout: 60) { deadLettered(daemon) == 2 }, "daemon log:\n\(daemon.stderr.snapshot())")
            let second = "\(try #require(try letters(workspace).first)["id"]!)"
            let dropped = try workspace.hookpipe(["dlq", "drop", second])
            #expect(dropped.status == 0, "\(dropped.stderr)")
            #expect(dropped.stdout == "dead letter \(second) (event seq 5) dropped\n", "\(dropped.stdout)")
            #expect(try letters(workspace).isEmpty)

            for arguments in [["show", "999"], ["retry", "999"], ["drop", "999"]] {
                let unknown = try workspace.hookpipe(["dlq"] + arguments)
                #expect(unknown.status == 1, "\(arguments)")
                #expect(unknown.stderr == "hookpipe: no dead letter 999 (see hookpipe dlq list)\n", "\(arguments): \(unknown.stderr)")
            }
            for arguments in [["retry"], ["drop", "1", "--all"]] {
                let usage = try workspace.hookpipe(["dlq"] + arguments)
                #expect(usage.status == 64, "\(arguments)")
            }
            let none = try workspace.hookpipe(["dlq", "retry", "--all"])
            #expect(none.status == 0)
            #expect(none.stdout == "no dead letters\n")
            #expect(daemon.stop() == 0)
        }
    }
}
