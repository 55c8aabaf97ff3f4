import Atomics
import HookpipeSync
import Logging
import NIOCore

/// The public listener's door: carries out ``ConnectionAdmission``'s
/// decisions for every event loop, answers refused connections `503`, and
/// pauses accepting when `accept` runs out of descriptors (``AcceptBackoff``).
///
/// Refusals, connections closed to make room and failed accepts are each
/// logged at most once per `logInterval`, with a count.
final class ConnectionGate: Sendable {
    /// Refusal answers being written at once beyond which a refused
    /// connection is just closed: a 503 holds its descriptor until written.
    static let maxRefusalsInProgress = 64

    private struct State {
        var admission: ConnectionAdmission<ObjectIdentifier>
        /// The open connections, so that an idle one can be closed to make room.
        var channels: [ObjectIdentifier: any Channel] = [:]
        var backoff = AcceptBackoff()
    }

    private let state: Locked<State>
    private let refusalsInProgress = ManagedAtomic<Int>(0)
    private let retryAfterSeconds: Int
    let refused: ThrottledWarning
    let displaced: ThrottledWarning
    let acceptFailed: ThrottledWarning

    /// - Parameter limit: connections open at once (already fitted to the descriptor limit).
    init(limit: Int, retryAfterSeconds: Int, logInterval: Duration = .seconds(10), logger: Logger) {
        state = Locked(State(admission: ConnectionAdmission(limit: limit)))
        self.retryAfterSeconds = retryAfterSeconds
        let limitMetadata: Logger.Metadata = ["http.max_connections": "\(limit)"]
        refused = ThrottledWarning("connections refused: every open connection is busy", interval: logInterval,
                                   metadata: limitMetadata, logger: logger)
        displaced = ThrottledWarning("idle connections closed to make room for new ones", interval: logInterval,
                                     metadata: limitMetadata, logger: logger, level: .notice)
        acceptFailed = ThrottledWarning("accept failed: out of file descriptors or memory; pausing accepts", interval: logInterval,
                                        metadata: limitMetadata, logger: logger)
    }

    /// Decides about a new connection from its channel initializer. Returns
    /// `true` when it may open (its pipeline is then built as usual); a
    /// refused one has been given its 503 handler.
    func admit(_ channel: any Channel) throws -> Bool {
        let id = ObjectIdentifier(channel)
        let decision = state.withLock { state in
            state.backoff.accepted()
            let decision = state.admission.arrived(id)
            switch decision {
            case .admit:
                state.channels[id] = channel
                return (decision, nil as (any Channel)?)
            case .admitClosing(let victim):
                state.channels[id] = channel
                return (decision, state.channels.removeValue(forKey: victim))
            case .refuse:
                return (decision, nil)
            }
        }
        switch decision {
        case (.refuse, _):
            refused.record(on: channel.eventLoop)
            try refuse(channel)
            return false
        case (_, let victim):
            if let victim {
                displaced.record(on: channel.eventLoop)
                victim.close(promise: nil)
            }
            channel.closeFuture.whenComplete { [self] _ in closed(id) }
            return true
        }
    }

    /// The first byte of a request arrived on `channel`: not to be closed to make room.
    func busy(_ id: ObjectIdentifier) {
        state.withLock { $0.admission.becameBusy(id) }
    }

    /// `channel` answered and waits for its next request: may be closed to make room.
    func idle(_ id: ObjectIdentifier) {
        state.withLock { $0.admission.becameIdle(id) }
    }

    private func closed(_ id: ObjectIdentifier) {
        state.withLock { state in
            state.admission.closed(id)
            state.channels[id] = nil
        }
    }

    /// The pause after a failed `accept`, for NIO's `AcceptBackoffHandler`
    /// (it stops reading the listening socket meanwhile); logged throttled.
    func backoff(after error: IOError, eventLoop: any EventLoop) -> TimeAmount? {
        let delay = state.withLock { $0.backoff.failed(errno: error.errnoCode) }
        guard let delay else { return nil }
        acceptFailed.record(on: eventLoop, ["errno": "\(error.errnoCode)", "accept.pause": "\(delay)"])
        return TimeAmount(delay)
    }

    /// Answers a short 503 and closes, or just closes when many answers are
    /// already under way (a flood must not turn refusals into held descriptors).
    private func refuse(_ channel: any Channel) throws {
        guard refusalsInProgress.loadThenWrappingIncrement(ordering: .relaxed) < Self.maxRefusalsInProgress else {
            refusalsInProgress.wrappingDecrement(ordering: .relaxed)
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [refusalsInProgress] _ in refusalsInProgress.wrappingDecrement(ordering: .relaxed) }
        try channel.pipeline.syncOperations.addHandler(RefusedConnectionHandler(retryAfterSeconds: retryAfterSeconds))
    }
}

/// Writes `503 Service Unavailable` with `Retry-After` as soon as the
/// connection is active, without parsing the request, then closes: first its
/// sending side, so that the client reads the answer before the close (a
/// close with its request unread would reset the connection and could
/// discard the answer), and the rest when the client closes or after `linger`.
final class RefusedConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let retryAfterSeconds: Int
    private let linger: TimeAmount
    private var answered = false

    init(retryAfterSeconds: Int, linger: TimeAmount = .seconds(1)) {
        self.retryAfterSeconds = retryAfterSeconds
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { answer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        answer(context: context)
    }

    /// What the client sent is not read.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func answer(context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let body = #"{"error":"too_many_connections","message":"every connection is busy; retry later"}"#
        let response = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: \(retryAfterSeconds)\r\n"
            + "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n" + body
        let buffer = context.channel.allocator.buffer(string: response)
        let linger = self.linger
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: linger) { context.close(promise: nil) }
        }
    }
}
