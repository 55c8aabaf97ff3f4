import Foundation
import Testing

extension OperatorCLITests {
    /// `hookpipe inject` next to a running daemon.
    @Suite("hookpipe inject")
    struct InjectCLITests {
        @Test("injected events come out of the running chain; injecting them again, or a received one, stores nothing new")
        func injectWhileRunning() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let signed = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--send",
                                                 "--data", #"{"id":"evt_received","type":"x"}"#])
            #expect(signed.stdout.contains(#""status":"accepted""#), "\(signed.stdout)\(signed.stderr)")

            let input = OperatorWorkspace.lines("evt_inj_", 3)
            let first = try workspace.hookpipe(["inject", "--source", "stripe", "-v"], stdin: input)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("line 1: stored as seq 2, id evt_inj_1"), "\(first.stdout)")
            #expect(first.stdout.contains("stripe: 3 stored, 0 duplicates, 0 invalid (3 lines)"), "\(first.stdout)")
            #expect(workspace.waitFor {
                Set(workspace.outputObjects().compactMap { $0["id"] as? String }).isSuperset(of: ["evt_received", "evt_inj_1", "evt_inj_2", "evt_inj_3"])
            }, "out.ndjson: \(workspace.outputObjects())")
            let injected = workspace.outputObjects().first { has($0, "id", "evt_inj_2") }
            #expect((injected?["injected"] as? Bool) == true)
            #expect(((injected?["verified"] as? [String: Any])?["body"] as? Bool) == false)
            #expect(has(injected?["payload"] as? [String: Any] ?? [:], "n", "2"))

            let again = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: input + #"{"id":"evt_received"}"# + "\n")
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("stripe: 0 stored, 4 duplicates, 0 invalid (4 lines)"), "\(again.stdout)")
            let status = try workspace.hookpipe(["status", "--json"])
            #expect(status.stdout.contains(#""last_seq":4"#), "\(status.stdout)")
            #expect(daemon.stop() == 0)
        }

        @Test("invalid lines are reported with their numbers and skipped, the valid ones stored, exit 1; --id-pointer picks the key")
        func invalidLines() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let input = """
                {"id":"a1","data":{"id":"p-1"}}
                {"id":"a2",
                [1,2]
                {"id":"a3","data":{}}

                {"id":"a4","data":{"id":"p-4"}}
                """
            let result = try workspace.hookpipe(["inject", "--source", "mercadopago", "--id-pointer", "/data/id", "-v"], stdin: input)
            #expect(result.status == 1)
            #expect(result.stderr.contains("hookpipe: line 2: not JSON: "), "\(result.stderr)")
            #expect(result.stderr.contains("hookpipe: line 3: not a JSON object"), "\(result.stderr)")
            #expect(result.stderr.contains("hookpipe: line 4: no string or number at /data/id (--id-pointer)"), "\(result.stderr)")
            #expect(result.stdout.contains("line 1: stored as seq 1, id p-1"), "\(result.stdout)")
            #expect(result.stdout.contains("line 6: stored as seq 2, id p-4"), "\(result.stdout)")
            #expect(result.stdout.contains("mercadopago: 2 stored, 0 duplicates, 3 invalid (6 lines)"), "\(result.stdout)")
            #expect(daemon.stop() == 0)
        }

        @Test("an unknown source or a malformed --id-pointer is refused before reading anything")
        func refusals() throws {
            let workspace = try OperatorWorkspace()
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            _ = daemon.stop()
            let unknown = try workspace.hookpipe(["inject", "--source", "paypal"], stdin: #"{"id":1}"#)
            #expect(unknown.status == 64)
            #expect(unknown.stderr.contains(#"Error: no source named "paypal" in "#), "\(unknown.stderr)")
            #expect(unknown.stderr.contains("configured: stripe, mercadopago"), "\(unknown.stderr)")
            let pointer = try workspace.hookpipe(["inject", "--source", "stripe", "--id-pointer", "data.id"], stdin: "")
            #expect(pointer.status == 64)
            #expect(pointer.stderr.contains("--id-pointer must be a JSON pointer"), "\(pointer.stderr)")
            let missing = try HookpipeBinary.run(["inject", "--source", "stripe", "--config", workspace.directory + "/nope.conf"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("nope.conf"), "\(missing.stderr)")
        }
    }
}
