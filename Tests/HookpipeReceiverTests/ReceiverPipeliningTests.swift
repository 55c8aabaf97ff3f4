import Foundation
import Glibc
import HookpipeReceiver
import HookpipeStore
import HookpipeVerification
import Testing

/// HTTP/1.1 pipelining: several requests sent back to back on one
/// connection before any answer. The receiver keeps the answers in request
/// order itself (NIO's pipelining handler is off for speed), so a quick
/// answer must never overtake a stored request still waiting for the disk.
@Suite("Receiver: pipelined requests")
struct ReceiverPipeliningTests {
    @Test("answers come back in request order when a stored request is slower than the ones behind it")
    func answersStayInOrder() async throws {
        // The first event's answer is held back for 300 ms after it is durable;
        // the bad signature behind it is answered without the store at all.
        let (source, harness) = try await Self.harnessWithSlowFirstAnswer()
        defer { harness.removeDirectory() }
        let first = request(source, body: #"{"id":"evt_pipe_1"}"#)
        let forged = request(source, body: #"{"id":"evt_pipe_forged"}"#, signature: "t=\(Int(Date().timeIntervalSince1970)),v1=00")
        let third = request(source, body: #"{"id":"evt_pipe_3"}"#, close: true)
        let answers = try await Self.sendTogether(port: harness.port, first + forged + third)

        #expect(answers.map(\.status) == [200, 401, 200])
        #expect(answers.first?.id == "evt_pipe_1")
        #expect(answers.last?.id == "evt_pipe_3")
        let stored = try await harness.store.events(after: 0, limit: 10).map(\.dedupeKey)
        #expect(stored == ["evt_pipe_1", "evt_pipe_3"])
        try await harness.stop()
    }

    @Test("a malformed request behind pipelined ones gets its 400 after their answers")
    func protocolErrorWaitsItsTurn() async throws {
        let (source, harness) = try await Self.harnessWithSlowFirstAnswer()
        defer { harness.removeDirectory() }
        let first = request(source, body: #"{"id":"evt_err_1"}"#)
        let second = request(source, body: #"{"id":"evt_err_2"}"#)
        let answers = try await Self.sendTogether(port: harness.port, first + second + Array("NOT HTTP AT ALL\r\n\r\n".utf8))

        #expect(answers.map(\.status) == [200, 200, 400])
        #expect(answers.prefix(2).map(\.id) == ["evt_err_1", "evt_err_2"])
        #expect(try await harness.store.events(after: 0, limit: 10).map(\.dedupeKey) == ["evt_err_1", "evt_err_2"])
        try await harness.stop()
    }

    @Test("requests after a Connection: close request are not processed")
    func nothingAfterClose() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_pipe"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let closing = request(source, body: #"{"id":"evt_close_1"}"#, close: true)
        let after = request(source, body: #"{"id":"evt_close_2"}"#)
        let answers = try await Self.sendTogether(port: harness.port, closing + after)

        #expect(answers.map(\.status) == [200])
        #expect(try await harness.store.events(after: 0, limit: 10).map(\.dedupeKey) == ["evt_close_1"])
        try await harness.stop()
    }

    @Test("the answer to HEAD has a content-length but no body, so the next answer on the connection starts right after it")
    func headAnswerHasNoBody() async throws {
        let source = try makeSource(.stripe, secrets: ["whsec_pipe"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let head = Array("HEAD \(source.path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let post = request(source, body: #"{"id":"evt_after_head"}"#, close: true)
        let received = try await RawHTTPClient.onThread { () throws -> String in
            let socket = try RawSocket(port: harness.port)
            socket.setReceiveTimeout(.seconds(10))
            socket.send(head + post)
            return String(decoding: try socket.readToEOF(), as: UTF8.self)
        }
        let answers = received.components(separatedBy: "HTTP/1.1 ")
        #expect(answers.count == 3, "expected two answers: \(received)")
        #expect(answers.dropFirst().first?.hasPrefix("405 Method Not Allowed\r\n") == true)
        #expect(answers.dropFirst().first?.hasSuffix("\r\n\r\n") == true, "the HEAD answer carried a body: \(received)")
        #expect(answers.last?.hasPrefix("200 OK\r\n") == true)
        #expect(answers.last?.contains(#""id":"evt_after_head""#) == true)
        try await harness.stop()
    }

    /// A Stripe source and a receiver whose store answers the first append
    /// 300 ms after it is durable, so that later requests are quicker.
    private static func harnessWithSlowFirstAnswer() async throws -> (SourceRuntime, ReceiverHarness) {
        let source = try makeSource(.stripe, secrets: ["whsec_pipe"])
        let directory = NSTemporaryDirectory() + "hookpipe-pipelining-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try FaultInjectingStore(wrapping: SQLiteEventStore(path: directory + "/db.sqlite", logger: ReceiverHarness.logger))
        store.delayNext.withLock { $0 = .milliseconds(300) }
        return (source, try await ReceiverHarness(sources: [source], directory: directory, store: store))
    }

    private func request(_ source: SourceRuntime, body: String, signature: String? = nil, close: Bool = false) -> [UInt8] {
        signedRequestBytes(source, body: body, signatureOverride: signature, close: close)
    }

    struct Answer {
        var status: Int
        var id: String?
    }

    /// Writes all of `bytes` at once, then reads until the server closes
    /// (the last request asks it to) and splits what came back into answers.
    private static func sendTogether(port: Int, _ bytes: [UInt8]) async throws -> [Answer] {
        let received = try await RawHTTPClient.onThread { () throws -> [UInt8] in
            let socket = try RawSocket(port: port)
            socket.setReceiveTimeout(.seconds(10))
            let sent = bytes.withUnsafeBytes { send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == bytes.count else { throw RawHTTPError(description: "sent \(sent) of \(bytes.count) bytes") }
            return try socket.readToEOF()
        }
        var answers: [Answer] = []
        var rest = received[...]
        while !rest.isEmpty {
            guard let response = RawHTTPClient.parse(Array(rest)),
                  let headEnd = rest.firstRange(of: Array("\r\n\r\n".utf8)) else {
                throw RawHTTPError(description: "trailing bytes that are not a response: \(String(decoding: rest, as: UTF8.self))")
            }
            answers.append(Answer(status: response.status, id: response.field("id")))
            rest = rest[(headEnd.upperBound + (Int(response.headers["content-length"] ?? "") ?? 0))...]
        }
        return answers
    }
}
