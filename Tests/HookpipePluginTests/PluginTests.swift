import Foundation
import Testing

/// The scripts in `plugins/`, each run as a real child process on the fixture
/// envelopes (MercadoPago, Stripe, GitHub, Shopify) plus a malformed line.
@Suite("plugins")
struct PluginTests {
    static let malformed = "{\"seq\": 999, not json"

    @Test("normalize adds the common shape for all four providers, keeping the line byte for byte")
    func normalize() throws {
        let envelopes = try PluginProcess.envelopes()
        let input = [envelopes[0], envelopes[1], Self.malformed, envelopes[2], "[1,2]", envelopes[3]]
        let result = try PluginProcess.run(["python3", "plugins/normalize.py"], input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        #expect(result.stderr.contains("skipping line 3"))
        #expect(result.stderr.contains("skipping line 5"))
        try #require(result.lines.count == 4)
        let expected: [[String: Any]] = [
            ["source": "mercadopago", "type": "payment.updated", "id": "1319478232", "amount": NSNull(),
             "currency": NSNull(), "status": NSNull(), "occurred_at": "2026-11-21T16:15:02.000-04:00"],
            ["source": "stripe", "type": "payment_intent.succeeded", "id": "pi_3QxK2pLkdIwHu7ix0TqS1uVw",
             "amount": "25.99", "currency": "USD", "status": "succeeded", "occurred_at": "2026-11-21T20:16:09Z"],
            ["source": "github", "type": "pull_request.opened", "id": "2130450001", "amount": NSNull(),
             "currency": NSNull(), "status": "opened", "occurred_at": "2026-11-22T00:01:43Z"],
            ["source": "shopify", "type": "orders/create", "id": "820982911946154508", "amount": "199.65",
             "currency": "USD", "status": "paid", "occurred_at": "2026-11-22T04:29:59-05:00"],
        ]
        for (index, line) in result.lines.enumerated() {
            // The envelope is untouched (payload included, byte for byte); one member is appended.
            #expect(line.hasPrefix(String(envelopes[index].dropLast()) + ",\"normalized\":"))
            let object = try #require(PluginProcess.object(line))
            #expect(PluginProcess.same(object["normalized"], expected[index]), "\(line)")
            var rest = object
            rest["normalized"] = nil
            #expect(PluginProcess.same(rest, PluginProcess.object(envelopes[index])))
        }
    }

    @Test("normalize fills MercadoPago's amount from an earlier mercadopago-enrich")
    func normalizeEnrichedMercadoPago() throws {
        var event = try #require(PluginProcess.object(try PluginProcess.envelopes()[0]))
        event["mercadopago_payment"] = ["id": 1319478232, "status": "approved", "transaction_amount": 149.9, "currency_id": "brl"]
        let line = String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
        let result = try PluginProcess.run(["python3", "plugins/normalize.py"], input: line + "\n")
        #expect(result.status == 0)
        let normalized = try #require(result.objects.first??["normalized"] as? [String: Any])
        #expect(normalized["amount"] as? String == "149.9")
        #expect(normalized["currency"] as? String == "BRL")
        #expect(normalized["status"] as? String == "approved")
    }

    @Test("filter-type passes matching types (exact and prefix*) unchanged and drops the rest")
    func filterType() throws {
        let envelopes = try PluginProcess.envelopes()
        // The GitHub event only matches through its normalized type.
        let github = String(envelopes[2].dropLast()) + ",\"normalized\":{\"type\":\"pull_request.opened\"}}"
        let input = [envelopes[0], Self.malformed, envelopes[1], github, envelopes[3]]
        let result = try PluginProcess.run(["sh", "plugins/filter-type.sh"],
                                           environment: ["TYPES": "payment, pull_request.* ,orders/paid"],
                                           input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        #expect(result.lines == [envelopes[0], github])
        #expect(result.stderr.contains("not a JSON object"))

        let prefix = try PluginProcess.run(["sh", "plugins/filter-type.sh"], environment: ["TYPES": "payment*,orders/*"],
                                           input: input.joined(separator: "\n") + "\n")
        #expect(prefix.status == 0)
        // Shopify's topic is a header: only normalize's type carries it, so it is dropped here.
        #expect(prefix.lines == [envelopes[0], envelopes[1]])

        let unset = try PluginProcess.run(["sh", "plugins/filter-type.sh"], input: envelopes[0] + "\n")
        #expect(unset.status == 2)
        #expect(unset.lines.isEmpty)
    }

    @Test("mercadopago-enrich fetches payments, retrying a 503 and a timeout; 404 becomes enrich_error")
    func mercadopagoEnrich() throws {
        let api = try FakeAPI()
        defer { api.stop() }
        let envelopes = try PluginProcess.envelopes()
        let notFound = envelopes[0].replacingOccurrences(of: "1319478232", with: "404404")
            .replacingOccurrences(of: "\"seq\":101", with: "\"seq\":105")
        let slow = envelopes[0].replacingOccurrences(of: "1319478232", with: "777")
            .replacingOccurrences(of: "\"seq\":101", with: "\"seq\":106")
        let input = [envelopes[0], envelopes[1], Self.malformed, notFound, envelopes[2], slow, envelopes[3]]
        let result = try PluginProcess.run(
            ["python3", "plugins/mercadopago-enrich.py"],
            environment: ["MP_API_BASE": api.base, "MP_ACCESS_TOKEN": "TEST-TOKEN", "MP_TIMEOUT": "0.5",
                          "MP_BACKOFF": "0.05", "MP_ATTEMPTS": "3"],
            input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        #expect(result.stderr.contains("skipping line 3"))
        try #require(result.lines.count == 6)
        let objects = result.objects.map { $0 ?? [:] }
        #expect(objects.map { $0["seq"] as? Int } == [101, 102, 105, 103, 106, 104])
        // Other providers pass byte for byte.
        #expect([result.lines[1], result.lines[3], result.lines[5]] == [envelopes[1], envelopes[2], envelopes[3]])
        let payment = try #require(objects[0]["mercadopago_payment"] as? [String: Any])
        #expect(PluginProcess.same(payment, ["id": 1319478232, "status": "approved", "status_detail": "accredited",
                                             "transaction_amount": 149.9, "currency_id": "BRL",
                                             "date_approved": "2026-11-21T16:15:01.000-04:00"]))
        #expect(result.lines[0].hasPrefix(String(envelopes[0].dropLast()) + ",\"mercadopago_payment\":"))
        let error = try #require(objects[2]["enrich_error"] as? [String: Any])
        #expect(error["status"] as? Int == 404)
        #expect(error["retryable"] as? Bool == false)
        #expect(error["attempts"] as? Int == 1)
        #expect(objects[2]["mercadopago_payment"] == nil)
        #expect((objects[4]["mercadopago_payment"] as? [String: Any])?["id"] as? Int == 777)

        let requests = try api.requests()
        #expect(requests.map { $0["path"] as? String } == [
            "/v1/payments/1319478232", "/v1/payments/1319478232", "/v1/payments/404404",
            "/v1/payments/777", "/v1/payments/777",
        ])
        #expect(requests.allSatisfy { ($0["headers"] as? [String: Any])?["authorization"] as? String == "Bearer TEST-TOKEN" })
    }

    @Test("mercadopago-enrich gives up after MP_ATTEMPTS on a 5xx and passes the event on")
    func mercadopagoEnrichGivesUp() throws {
        let api = try FakeAPI()
        defer { api.stop() }
        let event = try PluginProcess.envelopes()[0].replacingOccurrences(of: "1319478232", with: "503503")
        let result = try PluginProcess.run(
            ["python3", "plugins/mercadopago-enrich.py"],
            environment: ["MP_API_BASE": api.base, "MP_ACCESS_TOKEN": "TEST-TOKEN", "MP_BACKOFF": "0.02", "MP_ATTEMPTS": "3"],
            input: event + "\n")
        #expect(result.status == 0)
        let error = try #require(result.objects.first??["enrich_error"] as? [String: Any])
        #expect(error["status"] as? Int == 503)
        #expect(error["attempts"] as? Int == 3)
        #expect(error["retryable"] as? Bool == true)
        #expect(try api.requests().count == 3)
    }

    @Test("append-dated appends each line to <dir>/<date>.ndjson and passes it on")
    func appendDated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let envelopes = try PluginProcess.envelopes()
        let undated = "{\"seq\":105,\"id\":\"x\",\"payload\":{}}"
        let input = [envelopes[0], envelopes[1], Self.malformed, envelopes[2], envelopes[3], undated]
        let target = directory.path + "/archive"
        let result = try PluginProcess.run(["perl", "plugins/append-dated.pl"], environment: ["APPEND_DIR": target],
                                           input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        #expect(result.lines == envelopes + [undated])
        #expect(result.stderr.contains("skipping line 3"))
        func file(_ name: String) -> String? { try? String(contentsOfFile: target + "/" + name, encoding: .utf8) }
        #expect(file("2026-11-21.ndjson") == envelopes[0] + "\n" + envelopes[1] + "\n")
        #expect(file("2026-11-22.ndjson") == envelopes[2] + "\n" + envelopes[3] + "\n")
        #expect(file("undated.ndjson") == undated + "\n")

        // A second run appends; it does not truncate.
        let again = try PluginProcess.run(["perl", "plugins/append-dated.pl"], environment: ["APPEND_DIR": target],
                                          input: envelopes[3])
        #expect(again.status == 0)
        #expect(again.lines == [envelopes[3]])
        #expect(file("2026-11-22.ndjson") == envelopes[2] + "\n" + envelopes[3] + "\n" + envelopes[3] + "\n")
    }

    @Test("http-forward retries a failed POST, then passes every event on in order")
    func httpForward() throws {
        let api = try FakeAPI()
        defer { api.stop() }
        let envelopes = try PluginProcess.envelopes()
        let input = [envelopes[0], Self.malformed, envelopes[1], envelopes[2], envelopes[3]]
        let result = try PluginProcess.run(
            ["node", "plugins/http-forward.js"],
            environment: ["FORWARD_URL": api.base + "/forward", "FORWARD_BACKOFF_MS": "20", "FORWARD_ATTEMPTS": "3"],
            input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        #expect(result.lines == envelopes)
        #expect(result.stderr.contains("skipping line 2"))
        #expect(result.stderr.contains("attempt 1/3 failed: HTTP 500"))
        let posts = try api.requests()
        #expect(posts.map { $0["body"] as? String } == [envelopes[0]] + envelopes)
        #expect(posts.map { ($0["headers"] as? [String: Any])?["idempotency-key"] as? String } ==
            ["mercadopago:101", "mercadopago:101", "stripe:102", "github:103", "shopify:104"])
    }

    @Test("http-forward exits non-zero without passing the event on when delivery finally fails")
    func httpForwardFails() throws {
        let api = try FakeAPI()
        defer { api.stop() }
        let envelopes = try PluginProcess.envelopes()
        let input = envelopes.joined(separator: "\n") + "\n"
        let down = try PluginProcess.run(["node", "plugins/http-forward.js"],
                                         environment: ["FORWARD_URL": api.base + "/always-500", "FORWARD_BACKOFF_MS": "10",
                                                       "FORWARD_ATTEMPTS": "2"], input: input)
        #expect(down.status == 1)
        #expect(down.lines.isEmpty)
        #expect(down.stderr.contains("giving up after 2 attempts"))
        let rejected = try PluginProcess.run(["node", "plugins/http-forward.js"],
                                             environment: ["FORWARD_URL": api.base + "/reject"], input: input)
        #expect(rejected.status == 1)
        #expect(rejected.lines.isEmpty)
        #expect(try api.requests().map { $0["path"] as? String } == ["/always-500", "/always-500", "/reject"])
    }

    @Test("pg-insert stores each event once in PostgreSQL, also when events are fed again")
    func pgInsert() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let envelopes = try PluginProcess.envelopes()
        var environment = server.environment
        environment["PG_TABLE"] = "webhook_events"
        let first = try PluginProcess.run(["sh", "plugins/pg-insert.sh"], environment: environment,
                                          input: [envelopes[0], Self.malformed, envelopes[1], envelopes[2]].joined(separator: "\n") + "\n")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines == Array(envelopes[0...2]))
        #expect(first.stderr.contains("skipping line 2"))
        // A restart re-feeds what was in flight: no second row.
        let again = try PluginProcess.run(["sh", "plugins/pg-insert.sh"], environment: environment,
                                          input: [envelopes[1], envelopes[2], envelopes[3]].joined(separator: "\n") + "\n")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.lines == Array(envelopes[1...3]))

        let rows = try server.query("""
            SELECT seq, source, id, received_at AT TIME ZONE 'UTC', event->'payload'->>'id' FROM webhook_events ORDER BY seq
            """)
        #expect(rows.split(separator: "\n") == [
            "101|mercadopago|mp-notif-1|2026-11-21 20:15:03.123456|118474535421",
            "102|stripe|evt_3QxK2pLkdIwHu7ix0B1c2d3e|2026-11-21 20:16:10.500001|evt_3QxK2pLkdIwHu7ix0B1c2d3e",
            "103|github|b1e7e7a0-c6d1-11f0-8f3e-2a1b3c4d5e6f|2026-11-22 00:01:44.000002|",
            "104|shopify|7b1d9a4e-1f0c-4a8e-9d55-3c2b1a0f9e8d|2026-11-22 09:30:00.25|820982911946154508",
        ])
        for (index, envelope) in envelopes.enumerated() {
            let stored = try server.query("SELECT event FROM webhook_events WHERE seq = \(101 + index)")
            #expect(PluginProcess.same(PluginProcess.object(stored), PluginProcess.object(envelope)))
        }
    }
}
