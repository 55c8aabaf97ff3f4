import Foundation
import Testing

/// The admin listener of the real binary: health, readiness, and metrics
/// that count real signed requests sent over loopback.
@Suite("hookpipe admin listener", .serialized)
struct AdminEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    typealias Daemon = DaemonEndToEndTests.Daemon

    static let admin = "\n[admin]\nenabled = true\nhost = \"127.0.0.1\"\nport = 0\n"

    /// The admin port from the daemon's `admin listening` log line (port 0 was asked for).
    func adminPort(_ daemon: Daemon) throws -> Int {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = daemon.stderr.snapshot()
            if let line = log.split(separator: "\n").first(where: { $0.contains("admin listening") }),
               let match = line.firstMatch(of: #/http\.address=127\.0\.0\.1:(\d+)/#), let port = Int(match.1) {
                return port
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw DaemonEndToEndTests.DaemonError(log: daemon.stderr.snapshot())
    }

    /// `name{labels}` → value, from a `/metrics` body.
    func series(_ exposition: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            result[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return result
    }

    /// GET /metrics, as series.
    func scrape(_ port: Int) throws -> [String: String] {
        series(try LoopbackHTTP.get(port: port, "/metrics").body)
    }

    /// Fetches until `done` holds or 20 s passed; returns the last value.
    func poll<Value>(until done: (Value) -> Bool, _ fetch: () throws -> Value) throws -> Value {
        let deadline = Date().addingTimeInterval(20)
        var value = try fetch()
        while !done(value) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            value = try fetch()
        }
        return value
    }

    /// Runs `body` against a daemon started on a workspace with `extra` config
    /// (admin on port 0), given the admin port; stops the daemon and removes the workspace after.
    func withDaemon(extra: String, _ body: (Workspace, Daemon, Int) throws -> Void) throws {
        let workspace = try Workspace(extraSource: extra)
        defer { workspace.remove() }
        let daemon = try Daemon(config: workspace.config)
        defer { if daemon.process.isRunning { _ = daemon.stop() } }
        try daemon.waitUntilListening()
        try body(workspace, daemon, try adminPort(daemon))
    }

    @Test("metrics count accepted, duplicate and badly signed requests exactly; /metrics is not on the public listener")
    func countsRequests() throws {
        try withDaemon(extra: Self.admin) { workspace, daemon, port in
            let health = try LoopbackHTTP.get(port: port, "/healthz")
            #expect(health.status == 200 && health.body == "ok\n")
            let ready = try LoopbackHTTP.get(port: port, "/readyz")
            #expect(ready.status == 200, "\(ready.body)")
            #expect(ready.body == #"{"ready":true,"reasons":[]}"# + "\n")

            let sign = ["sign", "--config", workspace.config, "--source", "stripe", "--data", #"{"id":"evt_m1","type":"charge.succeeded"}"#, "--send"]
            #expect(try HookpipeBinary.run(sign).stdout.contains(#""status":"accepted""#))
            #expect(try HookpipeBinary.run(sign).stdout.contains(#""status":"duplicate""#))
            let now = Int(Date().timeIntervalSince1970)
            let forged = try LoopbackHTTP.post(port: workspace.port, "/hooks/stripe",
                                               headers: [("Stripe-Signature", "t=\(now),v1=" + String(repeating: "0", count: 64))],
                                               body: #"{"id":"evt_forged"}"#)
            #expect(forged.status == 401 && forged.body.contains("signature_mismatch"), "\(forged.body)")
            let unsigned = try LoopbackHTTP.post(port: workspace.port, "/hooks/stripe", headers: [], body: #"{"id":"evt_unsigned"}"#)
            #expect(unsigned.status == 401 && unsigned.body.contains("missing_header"), "\(unsigned.body)")
            let publicMetrics = try LoopbackHTTP.get(port: workspace.port, "/metrics")
            #expect(publicMetrics.status == 404)

            let scrape = try LoopbackHTTP.get(port: port, "/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(!scrape.body.contains("whsec_cli_test_secret"))
            let values = series(scrape.body)
            #expect(values[#"hookpipe_requests_total{source="stripe",outcome="accepted"}"#] == "1")
            #expect(values[#"hookpipe_requests_total{source="stripe",outcome="duplicate"}"#] == "1")
            #expect(values[#"hookpipe_requests_total{source="stripe",outcome="signature_mismatch"}"#] == "1")
            #expect(values[#"hookpipe_requests_total{source="stripe",outcome="missing_header"}"#] == "1")
            #expect(values[#"hookpipe_requests_total{source="",outcome="unknown_path"}"#] == "1")
            #expect(values[#"hookpipe_requests_total{source="mercadopago",outcome="accepted"}"#] == "0")
            #expect(values[#"hookpipe_duplicates_total{source="stripe"}"#] == "1")
            #expect(values[#"hookpipe_signature_failures_total{source="stripe",reason="signature_mismatch"}"#] == "1")
            #expect(values[#"hookpipe_signature_failures_total{source="stripe",reason="missing_header"}"#] == "1")
            #expect(values[#"hookpipe_ack_latency_seconds_count{source="stripe"}"#] == "2")
            #expect(values[#"hookpipe_ack_latency_seconds_bucket{source="stripe",le="+Inf"}"#] == "2")
            let commits = Int(values["hookpipe_store_commit_seconds_count"] ?? "") ?? 0
            #expect(commits >= 2, "\(values)")
            #expect(values["hookpipe_store_last_seq"] == "1.0")
            #expect(values["hookpipe_dead_letters_pending"] == "0.0")
            #expect(values["hookpipe_backlog_events"] == nil, "no chain, no chain series")
            #expect(daemon.stop() == 0)
        }
    }

    @Test("the admin listener refuses other methods, unknown paths and oversize requests")
    func refusals() throws {
        try withDaemon(extra: Self.admin) { _, daemon, port in
            let post = try LoopbackHTTP.post(port: port, "/metrics", headers: [], body: "{}")
            #expect(post.status == 405 && post.headers["allow"] == "GET")
            #expect(try LoopbackHTTP.get(port: port, "/hooks/stripe").status == 404)
            #expect(try LoopbackHTTP.get(port: port, "/").status == 404)
            let bigHeader = try LoopbackHTTP.get(port: port, "/healthz", extraHeaders: "X-Padding: \(String(repeating: "a", count: 10_000))\r\n")
            #expect(bigHeader.status == 431)
            let announced = try LoopbackHTTP.get(port: port, "/healthz", extraHeaders: "Content-Length: 100000\r\n")
            #expect(announced.status == 413)
            let chunk = String(repeating: "b", count: 4096)
            let streamed = try LoopbackHTTP.exchange(port: port, Array(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(String(chunk.utf8.count, radix: 16))\r\n\(chunk)\r\n0\r\n\r\n".utf8))
            #expect(streamed.status == 413)
            // Still serving after the refusals.
            #expect(try LoopbackHTTP.get(port: port, "/healthz").status == 200)
            #expect(daemon.stop() == 0)
        }
    }

    @Test("/readyz is 503 naming a failed stage, 200 again once it recovers; stage series follow the chain")
    func readinessFollowsStages() throws {
        // The stage crash-loops until the file `open` exists in the state directory.
        let chain = Self.admin + #"""

            [[stage]]
            name = "gate"
            command = "if [ -e \"$HOOKPIPE_STATE_DIR/open\" ]; then exec cat; fi; exit 1"
            shell = true
            backoff_min = "50ms"
            backoff_max = "200ms"
            healthy_after = "1s"
            fail_after = 1
            """#
        try withDaemon(extra: chain) { workspace, daemon, port in
            let failing = try poll(until: { $0.status == 503 }) { try LoopbackHTTP.get(port: port, "/readyz") }
            #expect(failing.status == 503)
            #expect(failing.body.contains(#""ready":false"#) && failing.body.contains("stage gate: failed"), "\(failing.body)")
            let degraded = try poll(until: { $0[#"hookpipe_stage_failed{stage="gate"}"#] == "1.0" }) { try scrape(port) }
            #expect(degraded[#"hookpipe_stage_failed{stage="gate"}"#] == "1.0")
            #expect((Int(degraded[#"hookpipe_stage_restarts_total{stage="gate"}"#] ?? "") ?? 0) >= 1, "\(degraded)")

            #expect(FileManager.default.createFile(atPath: workspace.directory + "/state/open", contents: nil))
            let recovered = try poll(until: { $0.status == 200 }) { try LoopbackHTTP.get(port: port, "/readyz") }
            #expect(recovered.status == 200, "\(recovered.body)")

            let sign = ["sign", "--config", workspace.config, "--source", "stripe", "--data", #"{"id":"evt_g1","type":"x"}"#, "--send"]
            #expect(try HookpipeBinary.run(sign).stdout.contains(#""status":"accepted""#))
            let settled = try poll(until: {
                $0[#"hookpipe_stage_events_out_total{stage="gate"}"#] == "1" && $0["hookpipe_backlog_events"] == "0.0"
            }) { try scrape(port) }
            #expect(settled[#"hookpipe_stage_events_in_total{stage="gate"}"#] == "1", "\(settled)")
            #expect(settled[#"hookpipe_stage_events_out_total{stage="gate"}"#] == "1")
            #expect(settled[#"hookpipe_stage_failed{stage="gate"}"#] == "0.0")
            #expect(settled["hookpipe_chain_checkpoint"] == "1.0")
            #expect(settled["hookpipe_backlog_events"] == "0.0")
            #expect(settled["hookpipe_dead_letters_total"] == "0")
            #expect(settled["hookpipe_dead_letters_pending"] == "0.0")
            #expect(daemon.stop() == 0)
        }
    }
}
