import Foundation
import HookpipeReceiver
import HookpipeStore
import HookpipeVerification
import Testing

/// Every wrong request gets its documented status, and nothing is stored.
@Suite("Receiver: refusing")
struct ReceiverRefusalTests {
    @Test("a wrong secret is 401 signature_mismatch")
    func wrongSecret() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_right"])
        let forger = try makeSource(.stripe, secrets: ["whsec_wrong"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(forger, body: #"{"id":"evt_1"}"#)
        #expect(response.status == 401)
        #expect(response.field("error") == "signature_mismatch")
        #expect(!response.body.contains("whsec"))
        #expect(try await harness.store.lastSequence() == 0)
        try await harness.stop()
    }

    @Test("timestamps too far in the past or the future are 401", arguments: [-3600.0, 3600.0])
    func staleOrFuture(offset: Double) async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_t"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(source, body: #"{"id":"evt_t"}"#, at: Date().addingTimeInterval(offset))
        #expect(response.status == 401)
        #expect(response.field("error") == (offset < 0 ? "timestamp_too_old" : "timestamp_in_future"))
        try await harness.stop()
    }

    @Test("malformed signature headers are 401, never 500", arguments: [
        "t=abc,v1=deadbeef", "v1=deadbeef", "t=1700000000", "t=1700000000,,v1=", ",,,", "t=99999999999999999999999,v1=00",
    ])
    func malformedHeader(header: String) async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_m"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await RawHTTPClient.post(port: harness.port, path: source.path, headers: [("Stripe-Signature", header)],
                                                    body: Array(#"{"id":"evt_m"}"#.utf8))
        #expect(response.status == 401)
        try await harness.stop()
    }

    @Test("a missing signature header is 401 missing_header")
    func missingSignature() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await RawHTTPClient.post(port: harness.port, path: source.path, headers: [], body: Array("{}".utf8))
        #expect(response.status == 401)
        #expect(response.field("error") == "missing_header")
        try await harness.stop()
    }

    @Test("a correctly signed body that is not JSON is 400 with jansson's line and column")
    func invalidJSON() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let response = try await harness.postSigned(source, body: "{\n  \"a\": 1,\n  oops\n}")
        #expect(response.status == 400)
        #expect(response.field("error") == "invalid_json")
        #expect(response.field("line") == "3")
        #expect(response.field("column") != nil)
        let empty = try await harness.postSigned(source, body: "")
        #expect(empty.status == 400)
        #expect(empty.field("error") == "empty_body")
        #expect(try await harness.store.lastSequence() == 0)
        try await harness.stop()
    }

    @Test("unknown path is 404; a method other than POST is 405 with Allow")
    func routing() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let notFound = try await RawHTTPClient.post(port: harness.port, path: "/nowhere", headers: [], body: Array("{}".utf8))
        #expect(notFound.status == 404)
        let get = try await RawHTTPClient.exchange(port: harness.port, request: Array("GET /hooks/github HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(get.status == 405)
        #expect(get.headers["allow"] == "POST")
        try await harness.stop()
    }

    @Test("bodies over the limit are 413, announced or streamed chunked")
    func bodyTooLarge() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source], maxBodyBytes: 1024)
        defer { harness.removeDirectory() }
        let big = Array(("{\"pad\":\"" + String(repeating: "x", count: 2000) + "\"}").utf8)
        let announced = try await RawHTTPClient.post(port: harness.port, path: source.path, headers: [], body: big)
        #expect(announced.status == 413)
        var chunked = Array("POST /hooks/github HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for _ in 0..<3 {
            chunked += Array("258\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 600) + Array("\r\n".utf8)
        }
        chunked += Array("0\r\n\r\n".utf8)
        let streamed = try await RawHTTPClient.exchange(port: harness.port, request: chunked)
        #expect(streamed.status == 413)
        try await harness.stop()
    }

    @Test("headers over the limit are 431")
    func headersTooLarge() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source], maxHeaderBytes: 2048)
        defer { harness.removeDirectory() }
        let response = try await RawHTTPClient.post(port: harness.port, path: source.path,
                                                    headers: [("X-Padding", String(repeating: "p", count: 4000))], body: Array("{}".utf8))
        #expect(response.status == 431)
        try await harness.stop()
    }

    @Test("both Content-Length and Transfer-Encoding is refused with 400")
    func smuggling() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let request = "POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        let response = try await RawHTTPClient.exchange(port: harness.port, request: Array(request.utf8))
        #expect(response.status == 400)
        #expect(try await harness.store.lastSequence() == 0)
        try await harness.stop()
    }

    @Test("a client that trickles its request past the timeout gets 408 and is disconnected")
    func slowClient() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source], requestTimeout: .milliseconds(300))
        defer { harness.removeDirectory() }
        let request = Array("POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nX-Slow: 1234567890\r\n\r\n{}".utf8)
        // 20 chunks 150 ms apart (~3 s) against 300 ms: a server that fell
        // behind still sees the gaps, and the deadline is checked as bytes
        // arrive (RequestTimeoutHandlerTests), not only by its timer.
        let response = try await RawHTTPClient.exchange(port: harness.port, request: request, chunks: 20, pause: .milliseconds(150))
        #expect(response.status == 408)
        #expect(response.headers["connection"] == "close")
        try await harness.stop()
    }

    @Test("at max_connections a new connection closes the oldest idle one to get in (nginx's way)")
    func connectionLimitClosesOldestIdle() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source], maxConnections: 2)
        defer { harness.removeDirectory() }
        let (oldestClosed, newestOpen) = try await RawHTTPClient.onThread { () throws -> (Bool, Bool) in
            let oldest = try RawSocket(port: harness.port)
            Thread.sleep(forTimeInterval: 0.1)
            let newer = try RawSocket(port: harness.port)
            Thread.sleep(forTimeInterval: 0.1)
            let third = try RawSocket(port: harness.port)
            defer { newer.close(); third.close() }
            return (oldest.readsEOF(within: .seconds(5)), !newer.readsEOF(within: .seconds(1)))
        }
        #expect(oldestClosed, "the oldest idle connection was not closed to make room")
        #expect(newestOpen, "a younger idle connection was closed instead of the oldest")
        #expect(try await harness.postSigned(source, body: #"{"after":"limit"}"#).status == 200)
        try await harness.stop()
    }

    @Test("at max_connections with every connection busy, a new one is answered 503 with Retry-After; the held ones still work")
    func connectionLimitRefuses() async throws {
        let source = try makeSource(.github, secrets: ["s"])
        let harness = try await ReceiverHarness(sources: [source], maxConnections: 2)
        defer { harness.removeDirectory() }
        let refused = try await RawHTTPClient.onThread { () throws -> RawHTTPResponse in
            // Two requests in progress: their heads started, never finished.
            let held = try (0..<2).map { _ in try RawSocket(port: harness.port) }
            for socket in held { socket.send(Array("POST /hooks/github HTTP/1.1\r\n".utf8)) }
            Thread.sleep(forTimeInterval: 0.2)
            let extra = try RawSocket(port: harness.port)
            extra.setReceiveTimeout(.seconds(5))
            defer { for socket in held { socket.close() } }
            return try extra.readResponse(timeout: .seconds(5))
        }
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] == "7")
        #expect(refused.field("error") == "too_many_connections")
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await harness.postSigned(source, body: #"{"after":"limit"}"#).status == 200)
        try await harness.stop()
    }

    @Test("a store that cannot store answers 503 with Retry-After, never 200")
    func storeFault() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_f"])
        let directory = NSTemporaryDirectory() + "hookpipe-fault-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let faulty = try FaultInjectingStore(wrapping: SQLiteEventStore(path: directory + "/db.sqlite", logger: ReceiverHarness.logger))
        let harness = try await ReceiverHarness(sources: [source], directory: directory, store: faulty)
        defer { harness.removeDirectory() }
        #expect(try await harness.postSigned(source, body: #"{"id":"evt_ok"}"#).status == 200)
        faulty.failing.withLock { $0 = StoreError(.full, "injected: disk full") }
        let refused = try await harness.postSigned(source, body: #"{"id":"evt_full"}"#)
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] == "7")
        #expect(refused.field("error") == "store_full")
        faulty.failing.withLock { $0 = nil }
        let retried = try await harness.postSigned(source, body: #"{"id":"evt_full"}"#)
        #expect(retried.status == 200)
        #expect(retried.field("status") == "accepted")
        try await harness.stop()
    }

    @Test("a closed store answers 503")
    func closedStore() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_c"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        await harness.store.close()
        let response = try await harness.postSigned(source, body: #"{"id":"evt_c"}"#)
        #expect(response.status == 503)
        #expect(response.field("error") == "store_closed")
        try await harness.stop()
    }
}
