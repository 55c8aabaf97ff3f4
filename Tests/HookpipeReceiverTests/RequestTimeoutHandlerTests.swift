import Foundation
@testable import HookpipeReceiver
import NIOCore
import NIOEmbedded
import Testing

/// The request deadline is checked when bytes arrive, not only when the
/// connection's timer runs. An `EmbeddedEventLoop` runs no timer until told
/// to, which stands for an event loop that fell behind: its socket's bytes
/// come before its due timers.
@Suite("Receiver: the request deadline, checked as bytes arrive")
struct RequestTimeoutHandlerTests {
    @Test("bytes that arrive after the request deadline get 408 and are not read, though the timer has not run")
    func lateBytesTimeOut() throws {
        let channel = try Self.connectedChannel(requestTimeout: .milliseconds(50))
        try channel.writeInbound(ByteBuffer(string: "POST /hooks/github HTTP/1.1\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) != nil, "the request's first bytes start its deadline and pass")
        Thread.sleep(forTimeInterval: 0.2)
        try channel.writeInbound(ByteBuffer(string: "Content-Length: 2\r\n\r\n{}"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "bytes after the deadline were passed on")
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: answer).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(String(buffer: answer).contains("connection: close\r\n"))
        #expect(!channel.isActive, "the connection stays open after its 408")
        // Whatever still arrives while it closes is not read either.
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }

    @Test("bytes within the request deadline pass on, however many reads they take")
    func timelyBytesPass() throws {
        let channel = try Self.connectedChannel(requestTimeout: .seconds(60))
        for part in ["POST /hooks/github HTTP/1.1\r\n", "Content-Length: 2\r\n\r\n", "{}"] {
            try channel.writeInbound(ByteBuffer(string: part))
            #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == part)
        }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    /// A connected channel with only a `RequestTimeoutHandler` (idle timeout
    /// one minute), so its timer is scheduled but never runs here.
    private static func connectedChannel(requestTimeout: TimeAmount) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RequestTimeoutHandler(requestTimeout: requestTimeout, idleTimeout: .seconds(60)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }
}
