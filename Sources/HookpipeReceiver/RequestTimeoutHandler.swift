import NIOCore

/// Closes connections that are idle too long or send a request too slowly.
///
/// Sits in front of the HTTP decoder and sees raw bytes. A connection is
/// `idle` (idle timer running), `reading` a request (request timer running,
/// started by the first byte, so trickled headers count too), or `busy`
/// while the request is processed (no timer). ``WebhookChannelHandler``
/// reports the transitions with outbound user events.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent by the HTTP handler when a whole request has been read.
    struct RequestReceived {}
    /// Sent by the HTTP handler when a response has been written.
    struct ResponseSent {}

    private enum State {
        case idle(Scheduled<Void>?)
        case reading(Scheduled<Void>)
        case busy
    }

    private let requestTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var state: State = .idle(nil)

    init(requestTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdle(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdle(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .idle(let timer) = state {
            timer?.cancel()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            state = .reading(context.eventLoop.scheduleTask(in: requestTimeout) {
                Self.timeOutRequest(context: loopBound.value)
            })
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event {
        case is RequestReceived:
            switch state {
            case .reading(let timer): timer.cancel()
            case .idle(let timer): timer?.cancel()  // a pipelined request read while the previous one was answered
            case .busy: break
            }
            state = .busy
            promise?.succeed(())
        case is ResponseSent:
            if case .busy = state { armIdle(context: context) }
            promise?.succeed(())
        default:
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .idle(let timer): timer?.cancel()
        case .reading(let timer): timer.cancel()
        case .busy: break
        }
        state = .busy
        context.fireChannelInactive()
    }

    private func armIdle(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        state = .idle(context.eventLoop.scheduleTask(in: idleTimeout) {
            loopBound.value.close(promise: nil)
        })
    }

    /// Answers 408 in raw bytes (the HTTP encoder is behind us) and closes.
    private static func timeOutRequest(context: ChannelHandlerContext) {
        let body = #"{"error":"request_timeout","message":"the request was not received in time"}"#
        let response = "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            + "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n" + body
        let buffer = context.channel.allocator.buffer(string: response)
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
