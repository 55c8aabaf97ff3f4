import Foundation
import HookpipeReceiver
import HookpipeVerification
import Testing

/// The request and idle timeouts: each connection has one deadline that
/// requests move, and a timer that checks it (see `RequestTimeoutHandler`).
@Suite("Receiver: timeouts")
struct ReceiverTimeoutTests {
    @Test("an idle keep-alive connection is closed once idle_timeout has passed since its last answer")
    func idleConnectionCloses() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_idle"])
        let harness = try await ReceiverHarness(sources: [source], idleTimeout: .seconds(1))
        defer { harness.removeDirectory() }
        let request = Self.request(source, id: "evt_idle_1")
        let (status, idleFor) = try await RawHTTPClient.onThread { () throws -> (Int, TimeInterval?) in
            let socket = try RawSocket(port: harness.port)
            socket.setReceiveTimeout(.seconds(5))
            socket.send(request)
            let response = try socket.readResponse(timeout: .seconds(5))
            let answered = Date()
            guard socket.readsEOF(within: .seconds(5)) else { return (response.status, nil) }
            return (response.status, Date().timeIntervalSince(answered))
        }
        #expect(status == 200)
        let seconds = try #require(idleFor, "the idle connection was still open 5 s after its answer")
        // Not before the deadline, less the time the answer took to reach this
        // thread (generous: sanitizer builds run this suite too).
        #expect(seconds >= 0.5, "closed after \(seconds) s, well before idle_timeout (1 s)")
        try await harness.stop()
    }

    @Test("a new connection that never sends a byte is closed at first_byte_timeout, long before idle_timeout")
    func silentConnectionCloses() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_silent"])
        let harness = try await ReceiverHarness(sources: [source], idleTimeout: .seconds(60), firstByteTimeout: .seconds(1))
        defer { harness.removeDirectory() }
        let closedAfter = try await RawHTTPClient.onThread { () throws -> TimeInterval? in
            let socket = try RawSocket(port: harness.port)
            let opened = Date()
            guard socket.readsEOF(within: .seconds(10)) else { return nil }
            return Date().timeIntervalSince(opened)
        }
        let seconds = try #require(closedAfter, "a silent connection was still open after 10 s")
        #expect(seconds >= 0.5 && seconds < 5, "closed after \(seconds) s; first_byte_timeout is 1 s")
        // A connection that speaks in time is served.
        #expect(try await harness.postSigned(source, body: #"{"id":"evt_after_silent"}"#).status == 200)
        try await harness.stop()
    }

    @Test("a connection that keeps sending requests stays open past idle_timeout: each answer moves the deadline")
    func busyConnectionStaysOpen() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_busy"])
        let harness = try await ReceiverHarness(sources: [source], idleTimeout: .seconds(1))
        defer { harness.removeDirectory() }
        let requests = (1...8).map { Self.request(source, id: "evt_busy_\($0)") }
        let statuses = try await RawHTTPClient.onThread { () throws -> [Int] in
            let socket = try RawSocket(port: harness.port)
            socket.setReceiveTimeout(.seconds(5))
            var statuses: [Int] = []
            for request in requests {  // 8 × 300 ms: over twice the idle timeout on one connection
                socket.send(request)
                statuses.append(try socket.readResponse(timeout: .seconds(5)).status)
                Thread.sleep(forTimeInterval: 0.3)
            }
            return statuses
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        #expect(try await harness.store.lastSequence() == 8)
        try await harness.stop()
    }

    @Test("a request that takes longer than idle_timeout (but not request_timeout) to arrive is answered")
    func slowRequestIsNotIdle() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_slow"])
        let harness = try await ReceiverHarness(sources: [source], requestTimeout: .seconds(5), idleTimeout: .milliseconds(500))
        defer { harness.removeDirectory() }
        // 10 chunks, 120 ms apart: the request takes ~1.1 s, over twice the idle timeout.
        let response = try await RawHTTPClient.exchange(port: harness.port, request: Self.request(source, id: "evt_trickled"),
                                                        chunks: 10, pause: .milliseconds(120))
        #expect(response.status == 200)
        #expect(response.field("id") == "evt_trickled")
        try await harness.stop()
    }

    @Test("request_timeout counts from the first byte of a request, also after earlier requests on the connection")
    func requestTimeoutOnSecondRequest() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_second"])
        let harness = try await ReceiverHarness(sources: [source], requestTimeout: .milliseconds(300), idleTimeout: .seconds(30))
        defer { harness.removeDirectory() }
        let first = Self.request(source, id: "evt_second_1")
        let second = Self.request(source, id: "evt_second_2")
        let statuses = try await RawHTTPClient.onThread { () throws -> [Int] in
            let socket = try RawSocket(port: harness.port)
            socket.setReceiveTimeout(.seconds(5))
            socket.send(first)
            let answer = try socket.readResponse(timeout: .seconds(5)).status
            // The second request trickles for ~1 s: past its 300 ms.
            socket.send(second, chunks: 20, pause: .milliseconds(50))
            return [answer, try socket.readResponse(timeout: .seconds(5)).status]
        }
        #expect(statuses == [200, 408])
        #expect(try await harness.store.lastSequence() == 1)
        try await harness.stop()
    }

    private static func request(_ source: SourceRuntime, id: String) -> [UInt8] {
        signedRequestBytes(source, body: #"{"id":"\#(id)"}"#)
    }
}
