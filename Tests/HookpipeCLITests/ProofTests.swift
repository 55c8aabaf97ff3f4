import Foundation
import Testing

/// Neither sanitizer: the plain suite, the only one that runs the proof harnesses (below).
let plainSuite = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil
    && ProcessInfo.processInfo.environment["TSAN_OPTIONS"] == nil

/// The proof harnesses in `proof/` (crash matrix, disk full, damaged store,
/// bad input) in their CI sizes, against the binary built for these tests.
/// Each prints JSON; these tests assert on it. `proof/run.sh --long` runs the
/// long sizes and prints the table in docs/RELIABILITY.md.
///
/// They run in the plain suite only, not under the sanitizers
/// (scripts/sanitize.sh sets ASAN_OPTIONS or TSAN_OPTIONS): these minutes
/// of load and faults mostly exercise timing, and CI's 40-minute budget
/// could not hold them three times once the PostgreSQL backend joined. The
/// sanitizers keep every other test, the CLI tests among them, which run
/// the instrumented daemon with its threads under real requests, kills and
/// reloads.
@Suite("proof harnesses", .serialized, .enabled(if: plainSuite))
struct ProofTests {

    static let proof = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("proof").path

    /// Runs a harness; returns its exit status and the JSON objects it printed, one per line.
    /// Waited for off the cooperative pool (``HookpipeBinary/offPool(_:)``): these minutes held
    /// one of its two threads, and with another long synchronous test on the other no async test
    /// of the suite ran (a tailer, a chain and a console store test failed their 30 s waits so).
    static func run(_ script: String, _ arguments: [String], timeout: TimeInterval = 600) async throws -> (Int32, [[String: Any]]) {
        let command = ["python3", proof + "/" + script] + arguments + ["--binary", HookpipeBinary.path]
        let result = try await HookpipeBinary.offPool {
            try HookpipeBinary.run(command, executable: "/usr/bin/env", timeout: timeout)
        }
        let objects = result.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        if objects.isEmpty { Issue.record("\(script) printed no result; stderr:\n\(result.stderr)") }
        return (result.status, objects)
    }

    @Test("SIGKILL of the daemon 20 times under load: no acknowledged event lost")
    func daemonKills() async throws {
        let (status, results) = try await Self.run("crash_matrix.py", ["daemon", "--cycles", "20"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["kills"] as? Int == 20)
        #expect((result["acknowledged"] as? Int ?? 0) > 0)
        #expect(result["lost"] as? Int == 0, "\(result)")
    }

    @Test("PostgreSQL backend: SIGKILL of the daemon 20 times under load, the chain running at each kill: no acknowledged event lost")
    func postgresDaemonKills() async throws {
        let (status, results) = try await Self.run("crash_matrix.py", ["daemon", "--cycles", "20", "--backend", "postgresql"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["backend"] as? String == "postgresql")
        #expect(result["kills"] as? Int == 20)
        #expect((result["acknowledged"] as? Int ?? 0) > 0)
        #expect(result["lost"] as? Int == 0, "\(result)")
    }

    @Test("PostgreSQL crashed and restarted 5 times under load: no 2xx while it is down, 503 with Retry-After, nothing lost")
    func postgresRestarts() async throws {
        let (status, results) = try await Self.run("crash_matrix.py", ["pgrestart", "--cycles", "5", "--backend", "postgresql"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["restarts"] as? Int == 5)
        #expect((result["acknowledged"] as? Int ?? 0) > 0)
        #expect(result["acks_while_down"] as? Int == 0, "\(result)")
        #expect(result["missing_retry_after"] as? Int == 0, "\(result)")
        #expect(result["lost"] as? Int == 0, "\(result)")
        #expect(result["final_exit"] as? Int == 0, "\(result)")
    }

    @Test("three nodes on one PostgreSQL under signed load: 20 SIGKILLs of receivers and the holder, the holder paused past its lease, its sessions terminated, partitioned: nothing lost, never two feeders, nothing written after a lost lease",
          .enabled(if: geteuid() == 0))
    func clusterFaults() async throws {
        let (status, results) = try await Self.run("cluster.py", ["faults", "--cycles", "20"], timeout: 900)
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect((result["violations"] as? [Any])?.isEmpty == true, "\(result)")
        #expect((result["acknowledged"] as? Int ?? 0) > 0, "\(result)")
        #expect(result["lost"] as? Int == 0, "\(result)")
    }

    @Test("SIGKILL of random stage processes 200 times under load: no acknowledged event lost")
    func stageKills() async throws {
        let (status, results) = try await Self.run("crash_matrix.py", ["stages", "--cycles", "200"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["kills"] as? Int == 200, "\(result)")
        #expect(result["lost"] as? Int == 0, "\(result)")
    }

    @Test("a chain that fans out, filters and strips the envelope, bodies carrying seq and mark, under daemon and stage SIGKILLs: nothing lost", arguments: [
        ["daemon", "--chain", "fanout", "--cycles", "20"], ["stages", "--chain", "fanout", "--cycles", "200"],
    ])
    func fanOutChain(arguments: [String]) async throws {
        let (status, results) = try await Self.run("crash_matrix.py", arguments)
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect((result["acknowledged"] as? Int ?? 0) > 0)
        #expect(result["lost"] as? Int == 0, "\(result)")
        #expect(result["torn_lines"] as? Int == 0, "\(result)")
    }

    @Test("a stage that exits 0 on SIGTERM, stops that reach drain_timeout: nothing lost")
    func exitZeroOnSigterm() async throws {
        let (status, results) = try await Self.run("crash_matrix.py", ["sigterm", "--chain", "term0", "--cycles", "5"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["lost"] as? Int == 0, "\(result)")
    }

    @Test("SIGKILL of the daemon 20 times while its chain writes megabyte batches: no torn line in the output, nothing lost")
    func tornOutput() async throws {
        let (status, results) = try await Self.run("torn_output.py", ["--cycles", "20"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["kills"] as? Int == 20)
        #expect((result["acknowledged"] as? Int ?? 0) > 0)
        #expect(result["torn_lines"] as? Int == 0, "\(result)")
        #expect(result["lost"] as? Int == 0, "\(result)")
    }

    @Test("SIGTERM under load, 5 times: exit 0 within the drain deadline, nothing lost")
    func sigtermUnderLoad() async throws {
        let (status, results) = try await Self.run("crash_matrix.py", ["sigterm", "--cycles", "5"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["nonzero_exits"] as? Int == 0)
        #expect(result["lost"] as? Int == 0, "\(result)")
        #expect((result["slowest_stop_seconds"] as? Double ?? 99) < 20)
    }

    @Test("every acknowledgement is preceded by its own fsync (strace on the running daemon)", .enabled(if: geteuid() == 0))
    func fsyncPerAck() async throws {
        let (status, results) = try await Self.run("fsync_per_ack.py", ["--count", "50"])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["acknowledged"] as? Int == 50)
        #expect((result["syncs"] as? Int ?? 0) >= 50, "\(result)")
    }

    @Test("disk full: 503 with Retry-After, never a 2xx for an unstored event, recovers by itself", .enabled(if: geteuid() == 0))
    func diskFull() async throws {
        let (status, results) = try await Self.run("disk_full.py", [])
        let result = try #require(results.first)
        #expect(status == 0, "\(result)")
        #expect(result["ok"] as? Bool == true, "\(result)")
        #expect((result["refusals_503"] as? Int ?? 0) >= 20)
        #expect(result["lost"] as? Int == 0)
    }

    @Test("a damaged store tail: reported at start-up, everything before the damage still there")
    func damagedStore() async throws {
        let (status, results) = try await Self.run("store_damage.py", ["--count", "200"])
        #expect(status == 0, "\(results)")
        #expect(results.count == 4)
        for result in results {
            #expect(result["ok"] as? Bool == true, "\(result)")
            #expect(result["started"] as? Bool == true, "\(result)")
            #expect(!(result["reported"] as? String ?? "").isEmpty, "damage not reported: \(result)")
        }
    }

    @Test("bad input corpus: every case gets its documented answer, the daemon keeps serving, nothing bad is stored")
    func badInput() async throws {
        let (status, results) = try await Self.run("bad_input.py", [])
        let result = try #require(results.first)
        #expect(status == 0, "mismatches: \(result["mismatches"] ?? "?"), unexpected: \(result["stored_unexpected"] ?? "?")")
        #expect((result["cases"] as? Int ?? 0) >= 39)
        #expect(result["alive_after"] as? Bool == true)
        #expect((result["stored_unexpected"] as? [String])?.isEmpty == true)
    }
}
