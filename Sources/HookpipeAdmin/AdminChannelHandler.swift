import HookpipeReceiver
import Logging
import NIOCore
import NIOHTTP1

/// One admin connection: reads a request within small limits (431, 413
/// refuse and close), routes it, and answers; `/readyz` and `/metrics` are
/// answered from a task, then written back on the event loop.
final class AdminChannelHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(head: HTTPRequestHead, bodyBytes: Int)
        /// A refusal was sent before the request ended; the connection closes.
        case refused
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
                state = .receiving(head: head, bodyBytes: 0)
            }
        case (.body(let chunk), .receiving(let head, let bodyBytes)):
            // The body is not used; only its size is checked.
            let total = bodyBytes + chunk.readableBytes
            if total > limits.maxBodyBytes {
                refuse(.bodyTooLarge, head: head, context: context)
            } else {
                state = .receiving(head: head, bodyBytes: total)
            }
        case (.end, .receiving(let head, _)):
            state = .idle
            HTTPConnectionParts.requestReceived(context)
            serve(head, context: context)
        case (_, .refused):
            break
        case (.head, _), (.body, _), (.end, _):
            context.close(promise: nil)
        }
    }

    private func serve(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
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
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status),
                                                             headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
