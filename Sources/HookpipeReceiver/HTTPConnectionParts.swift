public import NIOCore
import NIOHTTP1

/// The connection handling the public listener shares with other HTTP
/// listeners of the daemon (the admin listener): the connection limit, the
/// request and idle timeouts (408), and NIO's HTTP/1.1 codec.
public enum HTTPConnectionParts {
    /// A server-channel handler that closes accepted connections beyond `maximum`.
    public static func connectionLimiter(maximum: Int, onRefused: @escaping @Sendable () -> Void) -> any ChannelHandler & Sendable {
        ConnectionLimiter(maximum: maximum, onRefused: onRefused)
    }

    /// Adds the timeout handler and the HTTP/1.1 codec (pipelining, protocol
    /// errors answered 400) to a new connection; the caller adds its handler after.
    /// That handler must call ``requestReceived(_:)`` and ``responseSent(_:)``.
    public static func addHTTP1Handlers(to pipeline: ChannelPipeline.SynchronousOperations, requestTimeout: Duration,
                                        idleTimeout: Duration) throws {
        try pipeline.addHandler(RequestTimeoutHandler(requestTimeout: .init(requestTimeout), idleTimeout: .init(idleTimeout)))
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
    }

    /// Tells the timeout handler that a whole request was read (its timer stops).
    public static func requestReceived(_ context: ChannelHandlerContext) {
        context.triggerUserOutboundEvent(RequestTimeoutHandler.RequestReceived(), promise: nil)
    }

    /// Tells the timeout handler that a response was written (the idle timer starts).
    public static func responseSent(_ context: ChannelHandlerContext) {
        context.triggerUserOutboundEvent(RequestTimeoutHandler.ResponseSent(), promise: nil)
    }
}
