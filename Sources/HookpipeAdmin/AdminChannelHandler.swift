import HookpipeConsole
import HookpipeReceiver
import Logging
import NIOCore
import NIOHTTP1

/// One admin connection: reads a request within small limits (431, 413
/// refuse and close), routes it, and answers; `/readyz`, `/metrics` and the
/// console's pages are answered from a task, then written back on the event
/// loop. The console's live tail keeps the connection as an event stream.
final class AdminChannelHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(head: HTTPRequestHead, body: [UInt8])
        /// A refusal was sent before the request ended; the connection closes.
        case refused
        /// The live tail: the response never ends; `cancel` unsubscribes.
        case streaming(cancel: (@Sendable () -> Void)?)
    }

    private let endpoints: AdminEndpoints
    private let limits: AdminServer.Limits
    private let logger: Logger
    private var state: State = .idle

    init(endpoints: AdminEndpoints, limits: AdminServer.Limits, logger: Logger) {
        self.endpoints = endpoints
        self.limits = limits
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            let headerBytes = head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + head.uri.utf8.count
            if headerBytes > limits.maxHeaderBytes {
                refuse(.headersTooLarge, head: head, context: context)
            } else if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxBodyBytes {
                refuse(.bodyTooLarge, head: head, context: context)
            } else {
                state = .receiving(head: head, body: [])
            }
        case (.body(var chunk), .receiving(let head, var body)):
            // Kept for the console's forms; the other endpoints ignore it.
            if body.count + chunk.readableBytes > limits.maxBodyBytes {
                refuse(.bodyTooLarge, head: head, context: context)
            } else {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
                state = .receiving(head: head, body: body)
            }
        case (.end, .receiving(let head, let body)):
            state = .idle
            HTTPConnectionParts.requestReceived(context)
            serve(head, body: body, context: context)
        case (_, .refused), (_, .streaming):
            break
        case (.head, _), (.body, _), (.end, _):
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .streaming(let cancel) = state {
            cancel?()
            state = .refused
        }
        context.fireChannelInactive()
    }

    private func serve(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if let console = endpoints.console, Console.owns(path: path) {
            serveConsole(console, head: head, body: body, context: context)
            return
        }
        switch AdminRoute.decide(method: head.method.rawValue, uri: head.uri) {
        case .refuse(let response):
            finish(response, head: head, context: context)
        case .serve(.health):
            finish(.healthy, head: head, context: context)
        case .serve(let route):
            let endpoints = self.endpoints
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await endpoints.respond(to: route) }.whenSuccess { response in
                let (handler, context) = loopBound.value
                handler.finish(response, head: head, context: context)
            }
        }
    }

    private func serveConsole(_ console: Console, head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        let request = ConsoleRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                                     body: body, peer: context.channel.remoteAddress?.ipAddress)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        if Console.isTailStream(request) {
            let channel = context.channel
            state = .streaming(cancel: nil)
            context.eventLoop.makeFutureWithTask {
                await console.openTail(request) { chunk in
                    // Called from the tail's task. A connection whose buffer is
                    // full (a stalled browser) is dropped, never waited for.
                    guard chunk.isLast || channel.isWritable else { return false }
                    var buffer = channel.allocator.buffer(capacity: chunk.bytes.count)
                    buffer.writeBytes(chunk.bytes)
                    channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
                    if chunk.isLast {
                        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
                    }
                    return true
                }
            }.whenSuccess { opening in
                let (handler, context) = loopBound.value
                switch opening {
                case .refuse(let response):
                    handler.state = .idle
                    handler.finish(AdminResponse(response), head: head, context: context)
                case .stream(let cancel):
                    guard context.channel.isActive else { cancel(); return }
                    handler.state = .streaming(cancel: cancel)
                    handler.startStream(head: head, context: context)
                }
            }
            return
        }
        context.eventLoop.makeFutureWithTask { await console.respond(to: request) }.whenSuccess { response in
            let (handler, context) = loopBound.value
            handler.finish(AdminResponse(response), head: head, context: context)
        }
    }

    /// The event stream's head; its body is written as the tail delivers.
    private func startStream(head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/event-stream; charset=utf-8")
        headers.add(name: "cache-control", value: "no-store")
        headers.add(name: "x-accel-buffering", value: "no")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        var hello = context.channel.allocator.buffer(capacity: 32)
        hello.writeString("retry: 2000\n: connected\n\n")
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(hello))), promise: nil)
        logger.debug("admin request", metadata: ["http.status": "200", "http.method": "GET", "http.path": "/console/tail/stream"])
    }

    private func refuse(_ response: AdminResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .refused
        write(response, head: head, keepAlive: false, context: context)
        logger.notice("admin request refused", metadata: [
            "http.status": "\(response.status)", "net.peer": "\(context.channel.remoteAddress?.ipAddress ?? "unknown")",
        ])
    }

    private func finish(_ response: AdminResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        write(response, head: head, keepAlive: head.isKeepAlive, context: context)
        HTTPConnectionParts.responseSent(context)
        logger.debug("admin request", metadata: [
            "http.status": "\(response.status)", "http.method": "\(head.method.rawValue.prefix(16))",
            "http.path": "\(head.uri.split(separator: "?", maxSplits: 1).first?.prefix(200) ?? "")",
        ])
    }

    private func write(_ response: AdminResponse, head: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.count))
        headers.add(name: "cache-control", value: "no-store")
        if let allow = response.allow { headers.add(name: "allow", value: allow) }
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status),
                                                             headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
