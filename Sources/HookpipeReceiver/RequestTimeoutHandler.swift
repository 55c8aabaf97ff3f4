import NIOCore

/// Closes connections that are idle too long or send a request too slowly.
///
/// Sits in front of the HTTP decoder and sees raw bytes. A connection is
/// `idle` (until its first-byte deadline when new, its idle deadline between
/// requests), `reading` a request (until its request deadline, set by the
/// first byte, so trickled headers count too), or `busy` while the request
/// is processed (no deadline). A new connection that never speaks is closed
/// at its first-byte deadline, long before the idle timeout.
/// ``WebhookChannelHandler`` reports the transitions with outbound user
/// events.
///
/// A transition only moves the deadline; it neither schedules nor cancels a
/// timer. Each connection has one timer, which is always due no later than
/// `step` (the shortest timeout) after it was set. Any deadline set later is
/// at least `step` away, so the timer never fires after it. When the timer
/// fires before the deadline (or while busy), it sets itself again, at the
/// deadline when that is within `step`. Scheduling and cancelling two timers
/// per request cost ~5 % of the event loops at c=64; now a connection wakes
/// its timer at most once per `step` (10 s by default) between deadlines.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent by the HTTP handler when a whole request has been read.
    struct RequestReceived {}
    /// Sent by the HTTP handler when a response has been written.
    struct ResponseSent {}

    private enum Phase {
        case idle(until: NIODeadline)
        case reading(until: NIODeadline)
        case busy
        /// The connection closed or timed out: no timer any more.
        case done
    }

    private let requestTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let firstByteTimeout: TimeAmount
    /// The longest a timer is set ahead: the shortest of the timeouts.
    private let step: TimeAmount
    private var phase: Phase = .busy
    private var timer: Scheduled<Void>?
    /// Told when the connection starts a request and when it goes idle again.
    private let activity: ConnectionActivity?

    /// - Parameters:
    ///   - firstByteTimeout: how long a new connection may stay silent; `nil` = `idleTimeout`.
    ///   - activity: told of idle/busy transitions (the public listener's ``ConnectionGate``).
    init(requestTimeout: TimeAmount, idleTimeout: TimeAmount, firstByteTimeout: TimeAmount? = nil,
         activity: ConnectionActivity? = nil) {
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.firstByteTimeout = firstByteTimeout ?? idleTimeout
        self.step = min(requestTimeout, idleTimeout, self.firstByteTimeout)
        self.activity = activity
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    /// Bytes of a request whose deadline has passed are not passed on: the
    /// request times out here, even when the timer has not run yet. An event
    /// loop that fell behind (a busy host) handles the socket's bytes before
    /// its due timers, and would otherwise take a request that arrived too
    /// slowly as complete. Nor are bytes passed on after a timeout, while the
    /// connection closes.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .idle:
            phase = .reading(until: .now() + requestTimeout)
            activity?.busy()
        case .reading(let deadline) where NIODeadline.now() >= deadline:
            stop()
            Self.timeOutRequest(context: context)
            return
        case .done:
            return  // timed out and closing: nothing more is read
        case .reading, .busy:
            break
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event {
        case is RequestReceived:
            if case .done = phase {} else { phase = .busy }
            promise?.succeed(())
        case is ResponseSent:
            if case .busy = phase {
                phase = .idle(until: .now() + idleTimeout)
                activity?.idle()
            }
            promise?.succeed(())
        default:
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    /// The connection is open: it starts idle until its first-byte deadline, with its one timer.
    private func start(context: ChannelHandlerContext) {
        guard timer == nil, case .busy = phase else { return }
        let now = NIODeadline.now()
        phase = .idle(until: now + firstByteTimeout)
        setTimer(at: now + step, context: context)  // step ≤ firstByteTimeout
    }

    private func stop() {
        phase = .done
        timer?.cancel()
        timer = nil
    }

    private func setTimer(at instant: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: instant) {
            let (handler, context) = loopBound.value
            handler.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        let now = NIODeadline.now()
        switch phase {
        case .done:
            return
        case .busy:
            setTimer(at: now + step, context: context)
        case .idle(let deadline), .reading(let deadline):
            guard now >= deadline else {
                setTimer(at: min(deadline, now + step), context: context)
                return
            }
            let wasReading = if case .reading = phase { true } else { false }
            stop()
            if wasReading {
                Self.timeOutRequest(context: context)
            } else {
                context.close(promise: nil)
            }
        }
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

/// Where ``RequestTimeoutHandler`` reports that its connection started a
/// request (it may not be closed to make room) or went idle (it may).
struct ConnectionActivity {
    let gate: ConnectionGate
    let id: ObjectIdentifier

    func busy() { gate.busy(id) }
    func idle() { gate.idle(id) }
}
