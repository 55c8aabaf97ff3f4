public import Logging
public import NIOCore
import NIOHTTP1
public import NIOPosix
import ServiceLifecycle
import HookpipeSync

/// The connection handling the public listener shares with other HTTP
/// listeners of the daemon (the admin listener): the connection limit, the
/// request and idle timeouts (408), and NIO's HTTP/1.1 codec.
public enum HTTPConnectionParts {
    /// A server-channel handler that closes accepted connections beyond
    /// `maximum`, logging `refusalMessage` at most once per 10 s with a count.
    public static func connectionLimiter(maximum: Int, refusalMessage: Logger.Message, logger: Logger) -> any ChannelHandler & Sendable {
        ConnectionLimiter(maximum: maximum,
                          refused: ThrottledWarning(refusalMessage, interval: .seconds(10), metadata: ["limit": "\(maximum)"], logger: logger))
    }

    /// Adds the timeout handler and NIO's HTTP/1.1 codec to a new connection,
    /// with NIO's pipelining handler (it holds back a request that arrives
    /// before the previous one was answered) and protocol error handler
    /// (malformed requests get 400). The caller adds its handler after; it
    /// writes `HTTPServerResponsePart`s and must call ``requestReceived(_:)``
    /// and ``responseSent(_:)``. For listeners with little traffic (admin).
    ///
    /// Every response header the listener writes is hookpipe's own (never
    /// copied from a request), so NIO's per-response header scan is skipped.
    public static func addHTTP1Handlers(to pipeline: ChannelPipeline.SynchronousOperations, requestTimeout: Duration,
                                        idleTimeout: Duration) throws {
        try pipeline.addHandler(RequestTimeoutHandler(requestTimeout: .init(requestTimeout), idleTimeout: .init(idleTimeout)))
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true,
                                                 withOutboundHeaderValidation: false)
    }

    /// Adds the timeout handler and NIO's HTTP/1.1 request decoder only: the
    /// handler after it answers in request order, answers `HTTPParserError`s,
    /// and writes each response as bytes itself (``WebhookResponse/wire(version:keepAlive:includeBody:allocator:)``).
    ///
    /// For the public listener, where every request counts: NIO's pipelining
    /// handler stops reads while any request is open (two `epoll_ctl` calls
    /// per request, even when nobody pipelines), its error handler would
    /// write its 400 ahead of answers still owed, and its response encoder
    /// costs three pipeline writes and a header list per answer.
    ///
    /// `firstByteTimeout` bounds how long a new connection may stay silent;
    /// `activity` is told when the connection starts a request and when it is idle again.
    static func addHTTP1RequestDecoder(to pipeline: ChannelPipeline.SynchronousOperations, requestTimeout: Duration,
                                       idleTimeout: Duration, firstByteTimeout: Duration, activity: ConnectionActivity?) throws {
        try pipeline.addHandler(RequestTimeoutHandler(requestTimeout: .init(requestTimeout), idleTimeout: .init(idleTimeout),
                                                      firstByteTimeout: .init(firstByteTimeout), activity: activity))
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
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

/// A listener's socket: bound (or adopted from systemd), closed on request or
/// at graceful shutdown. The part the public and the admin listener share.
public final class ListeningSocket: Sendable {
    private let channel = Locked<(any Channel)?>(nil)

    public init() {}

    /// The bound address, once ``open(_:host:port:inheritedSocket:)`` returned.
    public var localAddress: SocketAddress? {
        channel.withLock { $0?.localAddress }
    }

    /// Binds `host:port`, or adopts `inheritedSocket` when given; returns the
    /// bound address as `ip:port` for the log.
    public func open(_ bootstrap: ServerBootstrap, host: String, port: Int, inheritedSocket: Int32?) async throws -> String {
        let opened: any Channel
        if let inheritedSocket {
            opened = try await bootstrap.withBoundSocket(inheritedSocket).get()
        } else {
            opened = try await bootstrap.bind(host: host, port: port).get()
        }
        channel.withLock { $0 = opened }
        return opened.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
    }

    /// Stops accepting connections; ``serveUntilShutdown()`` then returns.
    public func close() async {
        guard let open = channel.withLock({ $0 }) else { return }
        try? await open.close()
    }

    /// Waits until the socket is closed, closing it at graceful shutdown.
    /// Returns at once when it was never opened.
    public func serveUntilShutdown() async throws {
        guard let open = channel.withLock({ $0 }) else { return }
        try await withGracefulShutdownHandler {
            try await open.closeFuture.get()
        } onGracefulShutdown: {
            open.close(promise: nil)
        }
    }
}
