import HookpipeReceiver
public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle

/// The admin listener (`/healthz`, `/readyz`, `/metrics`), as a service.
///
/// Separate from the public listener: its own address (loopback by
/// default), its own small limits. ``bind()`` opens the port and logs the
/// bound address (`admin listening`, `http.address`); ``run()`` serves until
/// graceful shutdown.
public final class AdminServer: Service {
    /// Request limits; admin requests are tiny GETs.
    public struct Limits: Sendable {
        /// Larger request heads get 431 and the connection closes.
        public var maxHeaderBytes = 8192
        /// Larger bodies (announced or sent) get 413 and the connection closes.
        public var maxBodyBytes = 1024
        /// Connections beyond this are closed at accept.
        public var maxConnections = 64
        /// Time to send a whole request once its first byte arrived (408 after).
        public var requestTimeout: Duration = .seconds(5)
        /// An idle keep-alive connection is closed after this.
        public var idleTimeout: Duration = .seconds(30)

        /// The defaults above.
        public init() {}
    }

    /// Listener settings.
    public struct Settings: Sendable {
        /// Address to bind; loopback unless the operator chose otherwise.
        public var host: String
        /// 0 picks a free port (see the `admin listening` log line).
        public var port: Int
        /// Request and connection limits.
        public var limits: Limits
        /// A listening socket inherited from systemd (socket activation, the
        /// descriptor named `admin`); when set, `host` and `port` are not bound.
        public var inheritedSocket: Int32?
        /// The console is served without credentials: binding anything but a
        /// loopback address (an inherited socket included) is refused.
        public var consoleNeedsLoopback: Bool

        /// Settings for `host:port` (or an inherited socket) with the given limits.
        public init(host: String, port: Int, limits: Limits = .init(), inheritedSocket: Int32? = nil, consoleNeedsLoopback: Bool = false) {
            self.host = host
            self.port = port
            self.limits = limits
            self.inheritedSocket = inheritedSocket
            self.consoleNeedsLoopback = consoleNeedsLoopback
        }
    }

    private let settings: Settings
    private let endpoints: AdminEndpoints
    private let group: any EventLoopGroup
    private let logger: Logger
    private let socket = ListeningSocket()

    /// A listener answering from `endpoints` on `group`'s event loops.
    public init(settings: Settings, endpoints: AdminEndpoints, group: any EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.endpoints = endpoints
        self.group = group
        self.logger = logger
    }

    /// The bound address, once ``bind()`` returned.
    public var localAddress: SocketAddress? {
        socket.localAddress
    }

    /// Opens the listening socket; warns when it is reachable from other hosts.
    public func bind() async throws {
        let settings = self.settings
        let endpoints = self.endpoints
        let logger = self.logger
        let limiter = HTTPConnectionParts.connectionLimiter(maximum: settings.limits.maxConnections,
                                                            refusalMessage: "admin connections refused: too many open connections",
                                                            logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(limiter) }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try HTTPConnectionParts.addHTTP1Handlers(to: sync, requestTimeout: settings.limits.requestTimeout,
                                                             idleTimeout: settings.limits.idleTimeout)
                    try sync.addHandler(AdminChannelHandler(endpoints: endpoints, limits: settings.limits, logger: logger))
                }
            }
        let address = try await socket.open(bootstrap, host: settings.host, port: settings.port,
                                            inheritedSocket: settings.inheritedSocket)
        if settings.consoleNeedsLoopback, let local = socket.localAddress, !LoopbackAddress.contains(local) {
            await socket.close()
            throw ConsoleExposed(address: address)
        }
        logger.notice("admin listening", metadata: ["http.address": "\(address)"])
        if let local = socket.localAddress, !LoopbackAddress.contains(local) {
            logger.warning("the admin listener is reachable from other hosts; keep [admin] host on loopback or firewall it",
                           metadata: ["http.address": "\(address)"])
        }
    }

    /// Stops accepting connections. ``run()`` returns once the socket is closed.
    public func close() async {
        await socket.close()
    }

    /// Serves until graceful shutdown (binding first if ``bind()`` was not called).
    public func run() async throws {
        if localAddress == nil { try await bind() }
        try await socket.serveUntilShutdown()
        logger.notice("admin listener closed")
    }
}

/// The admin listener would serve the console without credentials on an
/// address other hosts reach (a socket systemd passed in, say).
public struct ConsoleExposed: Error, CustomStringConvertible {
    public var address: String
    public var description: String {
        "the admin listener is on \(address), which other hosts can reach, and the console has no credentials: "
            + "set [admin] console_auth (a secret reference to user:password or a token), or console = false"
    }
}
