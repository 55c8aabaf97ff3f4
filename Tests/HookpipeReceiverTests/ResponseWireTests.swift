@testable import HookpipeReceiver
import HookpipeJSON
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The receiver writes its answers as bytes; they must be the bytes NIO's
/// `HTTPResponseEncoder` wrote for the same head and body before.
@Suite("Receiver: responses on the wire")
struct ResponseWireTests {
    static let responses: [WebhookResponse] = [
        .accepted(seq: 42, id: "evt_1"),
        .duplicate(seq: 7, id: "evt_\u{e9}"),
        .error(401, "signature_mismatch", "no v1 signature matches"),
        .error(405, "method_not_allowed", "webhooks are received with POST", headers: [("Allow", "POST")]),
        .storeUnavailable("store_full", retryAfterSeconds: 7),
        .invalidJSON(JSONParseError(line: 1, column: 2, position: 1, message: "unexpected token")),
        .error(599, "odd", "a status NIO has no name for"),
    ]

    @Test("byte for byte what NIO's encoder writes, for HTTP/1.1 and 1.0, keep-alive or not", arguments: [true, false])
    func sameAsNIO(keepAlive: Bool) throws {
        for response in Self.responses {
            for version in [HTTPVersion.http1_1, .http1_0] {
                let ours = response.wire(version: version, keepAlive: keepAlive, includeBody: true, allocator: ByteBufferAllocator())
                let nio = try Self.nioBytes(response, version: version, keepAlive: keepAlive)
                #expect(String(buffer: ours) == nio, "status \(response.status), \(version)")
            }
        }
    }

    @Test("an answer to HEAD keeps its content-length but has no body")
    func headHasNoBody() throws {
        let response = WebhookResponse.error(405, "method_not_allowed", "webhooks are received with POST", headers: [("Allow", "POST")])
        let full = String(buffer: response.wire(version: .http1_1, keepAlive: true, includeBody: true, allocator: ByteBufferAllocator()))
        let head = String(buffer: response.wire(version: .http1_1, keepAlive: true, includeBody: false, allocator: ByteBufferAllocator()))
        #expect(head.hasSuffix("\r\n\r\n"))
        #expect(head.contains("content-length: \(response.body.count)\r\n"))
        #expect(full == head + String(decoding: response.body, as: UTF8.self))
    }

    @Test("100 Continue and the malformed-request 400 are NIO's too")
    func interimAndProtocolError() throws {
        let allocator = ByteBufferAllocator()
        let channel = EmbeddedChannel(handler: HTTPResponseEncoder())
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .continue)))
        #expect(String(buffer: WebhookResponse.continueWire(version: .http1_1, allocator: allocator)) == Self.drain(channel))
        let badRequest = HTTPResponseHead(version: .http1_1, status: .badRequest, headers: ["connection": "close", "content-length": "0"])
        try channel.writeOutbound(HTTPServerResponsePart.head(badRequest))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(String(buffer: WebhookResponse.malformedRequestWire(allocator: allocator)) == Self.drain(channel))
        _ = try channel.finish()
    }

    /// What the handler wrote through NIO's encoder before: head with
    /// content-type, content-length, the extra headers and `connection:
    /// close` when not keep-alive, then the body, then the end.
    private static func nioBytes(_ response: WebhookResponse, version: HTTPVersion, keepAlive: Bool) throws -> String {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(response.body.count))
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let channel = EmbeddedChannel(handler: HTTPResponseEncoder())
        try channel.writeOutbound(HTTPServerResponsePart.head(
            HTTPResponseHead(version: version, status: .init(statusCode: response.status), headers: headers)))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: response.body))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        let bytes = drain(channel)
        _ = try channel.finish()
        return bytes
    }

    private static func drain(_ channel: EmbeddedChannel) -> String {
        var text = ""
        while let part = try? channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = part { text += String(buffer: buffer) }
        }
        return text
    }
}
