import Atomics
import NIOCore

/// Closes accepted connections beyond `maximum` at once (the admin
/// listener's limit; the public listener has ``ConnectionGate``).
///
/// Installed on the server channel: it sees each accepted child channel
/// before it is registered, counts it, and uncounts it when it closes.
/// Refusals are logged once per interval with a count.
final class ConnectionLimiter: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let maximum: Int
    private let open = ManagedAtomic<Int>(0)
    private let refused: ThrottledWarning

    init(maximum: Int, refused: ThrottledWarning) {
        self.maximum = maximum
        self.refused = refused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let channel = unwrapInboundIn(data)
        if open.loadThenWrappingIncrement(ordering: .relaxed) >= maximum {
            open.wrappingDecrement(ordering: .relaxed)
            refused.record(on: context.eventLoop)
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [open] _ in
            open.wrappingDecrement(ordering: .relaxed)
        }
        context.fireChannelRead(data)
    }
}
