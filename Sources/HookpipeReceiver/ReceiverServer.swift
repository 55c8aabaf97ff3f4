public import HookpipeStore
public import Logging
public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
public import ServiceLifecycle

/// The public HTTP(S) listener, as a service.
///
/// ``update(ingest:tls:)`` swaps the sources and the TLS context on reload:
/// connections already open keep what they started with, new ones get the new.
///
/// ``bind()`` opens the port (call it after the store recovered); ``run()``
/// serves until graceful shutdown, then stops accepting, lets requests in
/// progress finish (so every stored event gets its answer), and returns.
public final class ReceiverServer: Service {
    /// Listener settings.
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var maxBodyBytes: Int
        public var maxHeaderBytes: Int
        public var maxConnections: Int
        public var requestTimeout: Duration
        public var idleTimeout: Duration
        public var retryAfterSeconds: Int
        /// How long a new connection may stay silent before it is closed; `nil` = `requestTimeout`.
        public var firstByteTimeout: Duration?
        /// A listening socket inherited from systemd (socket activation); when
        /// set, `host` and `port` are not bound.
        public var inheritedSocket: Int32?

        public init(host: String, port: Int, maxBodyBytes: Int, maxHeaderBytes: Int, maxConnections: Int,
                    requestTimeout: Duration, idleTimeout: Duration, retryAfterSeconds: Int = 5, firstByteTimeout: Duration? = nil,
                    inheritedSocket: Int32? = nil) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxConnections = maxConnections
            self.requestTimeout = requestTimeout
            self.idleTimeout = idleTimeout
            self.retryAfterSeconds = retryAfterSeconds
            self.firstByteTimeout = firstByteTimeout
            self.inheritedSocket = inheritedSocket
        }
    }

    private let settings: Settings
    private let context: ReceiverContext
    private let group: any EventLoopGroup
    private let logger: Logger
    private let socket = ListeningSocket()
    private let tlsBox: Swappable<NIOSSLContext?>
    /// Admits, refuses or makes room for new connections; pauses accepting when descriptors run out.
    private let gate: ConnectionGate

    /// - Parameter tls: serve HTTPS with this context; `nil` for plain HTTP.
    public init(settings: Settings, ingest: Ingest, tls: NIOSSLContext? = nil, store: any EventStore, group: any EventLoopGroup,
                logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.tlsBox = Swappable(tls)
        self.gate = ConnectionGate(limit: settings.maxConnections, retryAfterSeconds: settings.retryAfterSeconds, logger: logger)
        self.context = ReceiverContext(
            ingestBox: Swappable(ingest), store: store,
            limits: .init(maxBodyBytes: settings.maxBodyBytes, maxHeaderBytes: settings.maxHeaderBytes,
                          retryAfterSeconds: settings.retryAfterSeconds),
            logger: logger)
    }

    /// The bound address, once ``bind()`` returned (useful with port 0).
    public var localAddress: SocketAddress? {
        socket.localAddress
    }

    /// `https` when serving TLS, else `http`.
    public var scheme: String {
        tlsBox.current == nil ? "http" : "https"
    }

    /// Replaces the sources and the TLS context for requests and connections that start from now on.
    public func update(ingest: Ingest, tls: NIOSSLContext?) {
        context.ingestBox.replace(ingest)
        tlsBox.replace(tls)
    }

    /// Opens the listening socket.
    public func bind() async throws {
        let context = self.context
        let tlsBox = self.tlsBox
        let settings = self.settings
        let logger = self.logger
        let gate = self.gate
        let firstByteTimeout = settings.firstByteTimeout ?? settings.requestTimeout
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                // ServerBootstrap's future-based bind adds no accept backoff: without it,
                // accept failing with EMFILE would be retried at once, forever.
                let eventLoop = channel.eventLoop
                return eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
                        gate.backoff(after: error, eventLoop: eventLoop)
                    })
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard try gate.admit(channel) else { return }  // refused: answered 503
                    let sync = channel.pipeline.syncOperations
                    if let tls = tlsBox.current {
                        try sync.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    // WebhookChannelHandler keeps pipelined requests in order and writes its answers as bytes.
                    try HTTPConnectionParts.addHTTP1RequestDecoder(
                        to: sync, requestTimeout: settings.requestTimeout, idleTimeout: settings.idleTimeout,
                        firstByteTimeout: firstByteTimeout, activity: ConnectionActivity(gate: gate, id: ObjectIdentifier(channel)))
                    try sync.addHandler(WebhookChannelHandler(shared: context,
                                                              mailbox: context.mailboxes.mailbox(for: channel.eventLoop)))
                }
            }
        let address = try await socket.open(bootstrap, host: settings.host, port: settings.port,
                                            inheritedSocket: settings.inheritedSocket)
        logger.notice("listening", metadata: ["http.address": "\(address)", "http.scheme": "\(scheme)"])
    }

    /// Stops accepting connections. ``run()`` returns once the socket is closed.
    public func close() async {
        await socket.close()
    }

    public func run() async throws {
        if localAddress == nil { try await bind() }
        try await socket.serveUntilShutdown()
        // Requests already being stored finish on their own connections; wait
        // (bounded) so the store is not closed under them.
        let deadline = ContinuousClock.now + .seconds(10)
        while context.inFlight.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        logger.notice("listener closed", metadata: ["http.in_flight": "\(context.inFlight.load(ordering: .relaxed))"])
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
