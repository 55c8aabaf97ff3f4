import Foundation
import HookpipeJSON
import HookpipeReceiver
import HookpipeStore
import HookpipeVerification
import Testing

/// Signed requests over real loopback HTTP into a real SQLite store.
@Suite("Receiver: accepting")
struct ReceiverAcceptanceTests {
    @Test("every scheme's correctly signed request is accepted and stored once", arguments: [
        SchemeKind.mercadopago, .stripe, .standardWebhooks, .github, .shopify, .slack, .meta, .tiendanube, .hmac,
    ])
    func signedRequestIsAccepted(kind: SchemeKind) async throws {
        let secret = kind == .standardWebhooks ? "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" : "whsec_test_secret_0123456789"
        let hmac = kind == .hmac ? GenericHMACSettings(header: "X-Signature", algorithm: .sha512, encoding: .base64, prefix: "v=") : nil
        let source = try makeSource(kind, secrets: [secret], hmac: hmac)
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let body = #"{"id":"evt_\#(kind.rawValue)","event_id":"Ev1","type":"payment","data":{"id":"123456"},"amount":0.1}"#
        let query: [(name: String, value: String)] = kind == .mercadopago ? [("data.id", "123456"), ("type", "payment")] : []

        let first = try await harness.postSigned(source, body: body, query: query)
        #expect(first.status == 200, "\(first.body)")
        #expect(first.field("status") == "accepted")
        #expect(first.field("seq") == "1")

        let stored = try await harness.store.events(after: 0, limit: 10)
        #expect(stored.count == 1)
        let envelope = try JSONDocument.parse(Envelope.line(seq: stored[0].seq, metadata: stored[0].metadata, payload: stored[0].payload)).get()
        #expect(envelope.scalarText(at: "/source") == kind.rawValue)
        #expect(envelope.scalarText(at: "/verified/scheme") == kind.rawValue)
        #expect(envelope.scalarText(at: "/payload/amount") == "0.1")
        #expect(stored[0].payload == Array(body.utf8))
        try await harness.stop()
    }

    @Test("a retry of the same event is answered 200 duplicate and not stored again")
    func duplicateDelivery() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_abc"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let body = #"{"id":"evt_42","type":"charge.succeeded"}"#
        let first = try await harness.postSigned(source, body: body)
        let second = try await harness.postSigned(source, body: body, at: Date().addingTimeInterval(5))
        #expect(first.field("status") == "accepted")
        #expect(second.status == 200)
        #expect(second.field("status") == "duplicate")
        #expect(second.field("seq") == first.field("seq"))
        #expect(second.field("id") == "evt_42")
        #expect(try await harness.store.lastSequence() == 1)
        try await harness.stop()
    }

    @Test("200 concurrent deliveries of one key store exactly one event")
    func concurrentDuplicates() async throws {
        let source = try makeSource(.github, secrets: ["gh-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let statuses = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await harness.postSigned(source, body: #"{"action":"opened"}"#, extraHeaders: [("X-GitHub-Delivery", "d-1")]).field("status")
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == "accepted" }.count == 1)
        #expect(statuses.filter { $0 == "duplicate" }.count == 199)
        #expect(try await harness.store.lastSequence() == 1)
        try await harness.stop()
    }

    @Test("a restart keeps stored events and the dedupe memory")
    func restartKeepsState() async throws {
        let source = try makeSource(.shopify, secrets: ["shpss_1"])
        let first = try await ReceiverHarness(sources: [source])
        defer { first.removeDirectory() }
        let headers = [("X-Shopify-Webhook-Id", "wh-1")]
        #expect(try await first.postSigned(source, body: #"{"id":1}"#, extraHeaders: headers).field("status") == "accepted")
        try await first.stop()

        let second = try await ReceiverHarness(sources: [source], directory: first.directory)
        let again = try await second.postSigned(source, body: #"{"id":1}"#, extraHeaders: headers)
        #expect(again.field("status") == "duplicate")
        #expect(again.field("seq") == "1")
        #expect(try await second.postSigned(source, body: #"{"id":2}"#, extraHeaders: [("X-Shopify-Webhook-Id", "wh-2")]).field("seq") == "2")
        #expect(try await second.store.events(after: 0, limit: 10).count == 2)
        try await second.stop()
    }

    @Test("secret rotation: a request signed with the older secret is accepted")
    func rotation() async throws {
        let new = try makeSource(.stripe, secrets: ["whsec_new", "whsec_old"])
        let signedWithOld = try makeSource(.stripe, secrets: ["whsec_old"])
        let harness = try await ReceiverHarness(sources: [new])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(signedWithOld, body: #"{"id":"evt_rot"}"#)
        #expect(response.status == 200)
        let stored = try await harness.store.events(after: 0, limit: 1)
        let metadata = try JSONDocument.parse(stored[0].metadata).get()
        #expect(metadata.scalarText(at: "/verified/secret_index") == "1")
        try await harness.stop()
    }

    @Test("MercadoPago: the envelope says the body was not signed and which fields were")
    func mercadoPagoEnvelope() async throws {
        let source = try makeSource(.mercadopago, secrets: ["mp-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(source, body: #"{"id":12345,"type":"payment","data":{"id":"999"}}"#,
                                                    query: [("data.id", "999"), ("type", "payment")])
        #expect(response.status == 200)
        #expect(response.field("id") == "12345")
        let stored = try await harness.store.events(after: 0, limit: 1)
        let metadata = try JSONDocument.parse(stored[0].metadata).get()
        #expect(metadata.scalarText(at: "/verified/scheme") == "mercadopago")
        #expect(metadata.scalarText(at: "/query/data.id") == "999")
        #expect(metadata.scalarText(at: "/verified/fields/0") == "data.id")
        #expect(!String(decoding: stored[0].metadata, as: UTF8.self).contains("x-signature"))
        #expect(String(decoding: stored[0].metadata, as: UTF8.self).contains(#""body":false"#))
        try await harness.stop()
    }

    @Test("repeated headers are joined, a repeated query parameter keeps its last value, awkward text is escaped")
    func envelopeMembersAreUnique() async throws {
        let source = try makeSource(.github, secrets: ["gh-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(
            source, body: #"{"action":"opened"}"#, query: [("page", "1"), ("q", "x%22y%5Cz"), ("page", "2"), ("nul%00name", "a"), ("nul", "b")],
            extraHeaders: [("X-Trace", "one"), ("x-trace", "two"), ("X-Quote", #"say "hi" \ bye"#)])
        #expect(response.status == 200)
        let stored = try await harness.store.events(after: 0, limit: 1)
        let text = String(decoding: stored[0].metadata, as: UTF8.self)
        let metadata = try JSONDocument.parse(stored[0].metadata).get()
        #expect(metadata.scalarText(at: "/headers/x-trace") == "one, two")
        #expect(metadata.scalarText(at: "/headers/x-quote") == #"say "hi" \ bye"#)
        #expect(metadata.scalarText(at: "/query/page") == "2")
        #expect(metadata.scalarText(at: "/query/q") == #"x"y\z"#)
        // A key ends at a NUL (jansson refuses `\u0000` in keys), so these two are one parameter.
        #expect(metadata.scalarText(at: "/query/nul") == "b")
        #expect(text.components(separatedBy: #""page":"#).count == 2, "\(text)")
        #expect(text.components(separatedBy: #""x-trace":"#).count == 2, "\(text)")
        try await harness.stop()
    }

    @Test("scheme none with an allow-list accepts listed addresses and refuses others with 403")
    func allowList() async throws {
        let allowed = try makeSource(.none, name: "meli", secrets: [], allowIPs: ["127.0.0.0/8"])
        let refused = try makeSource(.none, name: "other", secrets: [], allowIPs: ["10.0.0.0/8", "::1/128"])
        let harness = try await ReceiverHarness(sources: [allowed, refused])
        defer { harness.removeDirectory() }
        let ok = try await RawHTTPClient.post(port: harness.port, path: "/hooks/meli", headers: [], body: Array(#"{"resource":"/orders/1"}"#.utf8))
        #expect(ok.status == 200)
        let no = try await RawHTTPClient.post(port: harness.port, path: "/hooks/other", headers: [], body: Array(#"{"resource":"/orders/1"}"#.utf8))
        #expect(no.status == 403)
        #expect(no.field("error") == "address_not_allowed")
        try await harness.stop()
    }

    @Test("behind a trusted proxy allow_ips checks the client in X-Forwarded-For; without one the header is ignored")
    func trustedProxy() async throws {
        let source = try makeSource(.none, name: "meli", secrets: [], allowIPs: ["203.0.113.0/24"])
        let behindProxy = try await ReceiverHarness(sources: [source], trustedProxies: try TrustedProxies(["127.0.0.1"]))
        defer { behindProxy.removeDirectory() }
        func post(_ harness: ReceiverHarness, _ forwarded: String?, order: Int) async throws -> RawHTTPResponse {
            try await RawHTTPClient.post(port: harness.port, path: "/hooks/meli", headers: forwarded.map { [("X-Forwarded-For", $0)] } ?? [],
                                         body: Array(#"{"resource":"/orders/\#(order)"}"#.utf8))
        }
        #expect(try await post(behindProxy, "203.0.113.9", order: 1).status == 200)
        #expect(try await post(behindProxy, "198.51.100.7, 203.0.113.9:4711", order: 2).status == 200)
        let noHeader = try await post(behindProxy, nil, order: 3)
        #expect(noHeader.status == 403, "the proxy itself is not on the list")
        let spoofed = try await post(behindProxy, "203.0.113.9, 198.51.100.7", order: 4)
        #expect(spoofed.status == 403, "only what the trusted proxy appended counts")
        #expect(spoofed.field("error") == "address_not_allowed")
        #expect(try await behindProxy.store.lastSequence() == 2)
        try await behindProxy.stop()

        let direct = try await ReceiverHarness(sources: [source])
        defer { direct.removeDirectory() }
        #expect(try await post(direct, "203.0.113.9", order: 5).status == 403)
        try await direct.stop()
    }

    @Test("Slack url_verification is answered with the challenge and not stored")
    func slackChallenge() async throws {
        let source = try makeSource(.slack, secrets: ["slack-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(source, body: #"{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#)
        #expect(response.status == 200)
        #expect(response.field("challenge") == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
        #expect(try await harness.store.lastSequence() == 0)
        try await harness.stop()
    }

    @Test("Expect: 100-continue gets a continue, then the answer")
    func expectContinue() async throws {
        let source = try makeSource(.github, secrets: ["gh"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(source, body: #"{"zen":"ok"}"#, extraHeaders: [("Expect", "100-continue")])
        #expect(response.status == 200)
        try await harness.stop()
    }
}

@Suite("Receiver: dedupe key fallback")
struct DedupeFallbackTests {
    @Test("without the configured key, the body's SHA-256 is the key, and the same body is a duplicate")
    func bodyHashFallback() async throws {
        let source = try makeSource(.meta, secrets: ["app-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let body = #"{"object":"whatsapp_business_account","entry":[]}"#
        let first = try await harness.postSigned(source, body: body)
        let second = try await harness.postSigned(source, body: body)
        // sha256 of the body, computed independently: printf '%s' "$body" | sha256sum
        #expect(first.field("id") == "sha256:9857fe35c06c25fc654f5b1baaff4d59c1485d4f042fcaee4ceefb314c14e7ea")
        #expect(second.field("status") == "duplicate")
        try await harness.stop()
    }
}
