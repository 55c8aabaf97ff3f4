// SwiftNIO's HTTP/1.1 server with nothing behind it: the HTTP stack hookpipe's
// receiver is built on, on its own, as a yardstick for what the stack itself
// costs per request on this machine (bench/run.sh; not something to deploy).
//
// The same pieces and settings as hookpipe's public listener: NIO's
// HTTPRequestDecoder (llhttp) through a ByteToMessageHandler, no pipelining
// handler and no response encoder, TCP_NODELAY, 16 reads per wake-up, one
// event loop per core. Each request's body is gathered into one buffer, as
// hookpipe's handler does, and the answer is one prebuilt buffer of bytes.
//
//   nio-floor PORT            200 once the whole body is in
//   nio-floor PORT parse      the same, after jansson parsed the body with the
//                             receiver's flags (400 when it is not JSON)
//
// Runs until SIGTERM or SIGINT.
import CJansson
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// What the server does with each complete body.
enum Mode: Sendable {
    case read
    case parse
}

/// Answers every request once its body is complete; keeps the connection open.
final class FloorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private static let ok = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
    private static let bad = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"

    private let mode: Mode
    private var body: ByteBuffer?

    init(mode: Mode) {
        self.mode = mode
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            body?.writeBuffer(&chunk)
        case .end:
            let valid = mode == .read || Self.parses(body)
            body = nil
            let answer = context.channel.allocator.buffer(string: valid ? Self.ok : Self.bad)
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
        }
    }

    /// jansson's parse with the receiver's flags; the document is dropped at once.
    private static func parses(_ body: ByteBuffer?) -> Bool {
        guard let body else { return false }
        let bytes = Array(body.readableBytesView)
        var error = json_error_t()
        let root = bytes.withUnsafeBufferPointer { buffer in
            json_loadb(buffer.baseAddress, buffer.count, Int(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL), &error)
        }
        guard let root else { return false }
        hp_json_release(root)
        return true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]), arguments.count == 2 || arguments[2] == "parse" else {
    print("usage: nio-floor PORT [parse]")
    exit(2)
}
let mode: Mode = arguments.count == 3 ? .parse : .read

// SIGTERM and SIGINT are blocked in every thread (the event loops inherit the
// mask) and taken by the main thread with sigwait, which then closes the listener.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGTERM)
sigaddset(&stopSignals, SIGINT)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelOption(.maxMessagesPerRead, value: 16)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try sync.addHandler(FloorHandler(mode: mode))
        }
    }
let server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
var received: Int32 = 0
sigwait(&stopSignals, &received)
try server.close().wait()
try group.syncShutdownGracefully()
