import Atomics
import NIOCore

/// Closes accepted connections beyond `maximum` at once.
///
/// Installed on the server channel: it sees each accepted child channel
/// before it is registered, counts it, and uncounts it when it closes.
final class ConnectionLimiter: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let maximum: Int
    private let open = ManagedAtomic<Int>(0)
    private let onRefused: @Sendable () -> Void

    init(maximum: Int, onRefused: @escaping @Sendable () -> Void) {
        self.maximum = maximum
        self.onRefused = onRefused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let channel = unwrapInboundIn(data)
        if open.loadThenWrappingIncrement(ordering: .relaxed) >= maximum {
            open.wrappingDecrement(ordering: .relaxed)
            onRefused()
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [open] _ in
            open.wrappingDecrement(ordering: .relaxed)
        }
        context.fireChannelRead(data)
    }
}
