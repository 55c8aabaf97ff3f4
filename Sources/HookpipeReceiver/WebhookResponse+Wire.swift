import NIOCore
import NIOHTTP1

extension WebhookResponse {
    /// The whole HTTP/1.x response as bytes: status line, `content-type`,
    /// `content-length`, the extra headers, `connection: close` unless
    /// `keepAlive`, then the body unless `includeBody` is false (an answer
    /// to `HEAD` keeps its `content-length` but not its body, RFC 9110 9.3.2).
    ///
    /// What NIO's `HTTPResponseEncoder` writes for the same head and body,
    /// built in one buffer: the receiver answers every request, and the
    /// encoder's three pipeline writes and header list cost more than the
    /// answer itself. Every header here is hookpipe's own, never a request's,
    /// so none can carry a CR or LF.
    func wire(version: HTTPVersion, keepAlive: Bool, includeBody: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        var buffer = allocator.buffer(capacity: 96 + reason.utf8.count + (includeBody ? body.count : 0) + headers.count * 32)
        Self.writeStatusLine(version: version, status: status, reason: reason, to: &buffer)
        buffer.writeStaticString("content-type: application/json\r\ncontent-length: ")
        buffer.writeString(String(body.count))
        buffer.writeStaticString("\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if !keepAlive { buffer.writeStaticString("connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        if includeBody { buffer.writeBytes(body) }
        return buffer
    }

    /// `100 Continue`, for a request that sent `Expect: 100-continue`.
    static func continueWire(version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        writeStatusLine(version: version, status: 100, reason: "Continue", to: &buffer)
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// The 400 NIO's protocol error handler writes for malformed HTTP: no
    /// body, and the connection closes.
    static func malformedRequestWire(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 80)
        buffer.writeStaticString("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
        return buffer
    }

    private static func writeStatusLine(version: HTTPVersion, status: Int, reason: String, to buffer: inout ByteBuffer) {
        if version.major == 1 && version.minor == 1 {
            buffer.writeStaticString("HTTP/1.1 ")
        } else {
            buffer.writeString("HTTP/\(version.major).\(version.minor) ")
        }
        buffer.writeString(String(status))
        buffer.writeStaticString(" ")
        buffer.writeString(reason)
        buffer.writeStaticString("\r\n")
    }
}
