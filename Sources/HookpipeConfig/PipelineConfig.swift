public import HookpipeVerification

/// Everything `pipeline.conf` says, with defaults filled in.
///
/// Built by ``ConfigLoader`` (see `PipelineConfig+TOML.swift` for the key
/// reference); plain values only, so it can be passed anywhere.
public struct PipelineConfig: Sendable, Equatable {
    /// The public HTTP listener (`[server]`).
    public var server: ServerConfig
    /// The embedded event store (`[store]`).
    public var store: StoreConfig
    /// Logging (`[log]`).
    public var log: LogConfig
    /// The admin listener (`[admin]`).
    public var admin: AdminConfig
    /// The senders, in file order (`[[source]]`); names and paths are unique.
    public var sources: [SourceConfig]
    /// The processing chain (`[chain]`) and its stages (`[[stage]]`).
    public var chain: ChainConfig

    /// Creates a configuration; every part defaults to its documented defaults.
    public init(
        server: ServerConfig = .init(), store: StoreConfig = .init(), log: LogConfig = .init(), sources: [SourceConfig] = [],
        chain: ChainConfig = .init(), admin: AdminConfig = .init()
    ) {
        self.server = server
        self.store = store
        self.log = log
        self.admin = admin
        self.sources = sources
        self.chain = chain
    }
}

/// The public HTTP listener. Key table: `[server]`.
public struct ServerConfig: Sendable, Equatable {
    /// Address to bind. Default `127.0.0.1`; use `0.0.0.0` or `::` to accept from outside.
    public var host: String = "127.0.0.1"
    /// TCP port. Default 8080.
    public var port: Int = 8080
    /// Largest accepted request body; larger requests get 413. Default 1 MiB.
    public var maxBodyBytes: Int = 1 << 20
    /// Largest total size of request header names and values; larger gets 431. Default 16 KiB.
    public var maxHeaderBytes: Int = 16 << 10
    /// Connections open at once (lowered at start to fit the descriptor limit);
    /// at the limit the oldest idle connection is closed to make room, and
    /// when none is idle a new one is answered 503. Default 1024.
    public var maxConnections: Int = 1024
    /// Time a client has to send one whole request, head and body, once it started. Default 10 s.
    public var requestTimeout: Duration = .seconds(10)
    /// Time an idle keep-alive connection stays open. Default 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// Time a new connection may stay silent before it is closed; `nil`
    /// (the default) means ``requestTimeout``.
    public var firstByteTimeout: Duration?
    /// Event-loop threads; 0 means one per core. Default 0.
    public var threads: Int = 0
    /// PEM certificate chain for native HTTPS, absolute after loading. `nil` = plain HTTP. Set with ``tlsKey``.
    public var tlsCertificate: String?
    /// PEM private key for native HTTPS, absolute after loading. Set with ``tlsCertificate``.
    public var tlsKey: String?
    /// Reverse proxies (addresses, CIDR blocks) whose `X-Forwarded-For`
    /// names the client that a source's `allow_ips` checks. Default none:
    /// the header is never believed. CIDR syntax is checked by the receiver.
    public var trustedProxies: [String] = []

    /// The defaults listed above.
    public init() {}
}

/// The event store: embedded SQLite (the default) or a shared PostgreSQL. Key table: `[store]`.
public struct StoreConfig: Sendable, Equatable {
    public enum Backend: String, Sendable, Equatable {
        /// One SQLite file in the state directory: one node.
        case sqlite
        /// A PostgreSQL database shared by every node (several may receive; one runs the chain).
        case postgresql
    }

    /// Which store. Default `.sqlite`.
    public var backend: Backend = .sqlite
    /// PostgreSQL only: where the connection URL comes from (it holds the password).
    public var url: SecretReference?
    /// PostgreSQL only: connections per node. Default 8.
    public var poolSize: Int = 8
    /// PostgreSQL only: time to open a connection. Default 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// PostgreSQL only: time one transaction or read may take before its
    /// outcome counts as unknown (the batch is answered 503). Default 10 s.
    public var operationTimeout: Duration = .seconds(10)
    /// PostgreSQL only: the chain lease's time to live; another node takes the
    /// chain over at most this long after its holder stopped renewing. Default 10 s.
    public var leaseTTL: Duration = .seconds(10)

    /// Directory for the database and other state. Default `./state`
    /// (relative paths are resolved against the config file's directory;
    /// systemd's `$STATE_DIRECTORY` is used when the key is absent and it is set).
    public var stateDirectory: String = "state"
    /// Most events committed in one transaction (group commit). Default 1024.
    public var maxBatch: Int = 1024
    /// Settled events older than this are pruned automatically. Default 30 days.
    public var retention: Duration = .seconds(30 * 86_400)

    /// The defaults listed above.
    public init() {}

    /// The SQLite database file inside the state directory.
    public var databasePath: String { stateDirectory + "/hookpipe.sqlite" }
}

/// The admin listener: `/healthz`, `/readyz`, `/metrics`. Key table: `[admin]`.
public struct AdminConfig: Sendable, Equatable {
    /// Whether the admin listener runs. Default false.
    public var enabled: Bool = false
    /// Address to bind. Default `127.0.0.1`: never reachable from outside unless changed.
    public var host: String = "127.0.0.1"
    /// TCP port. Default 8081; 0 picks a free port (the daemon logs it).
    public var port: Int = 8081
    /// Whether the web console is served under `/console/`. Default true.
    public var console: Bool = true
    /// Whether the console offers replay, dead-letter retry and drop. Default true.
    public var consoleActions: Bool = true
    /// The console's credentials: `user:password` (basic authentication) or a
    /// token (`Authorization: Bearer`, or basic with any user name). Required
    /// when `host` is not a loopback address; without it the console is open
    /// to anyone who reaches the loopback listener.
    public var consoleAuth: SecretReference?

    public init() {}
}

/// Logging. Key table: `[log]`.
public struct LogConfig: Sendable, Equatable {
    /// Log levels, lowest first, by their `pipeline.conf` names.
    public enum Level: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }
    /// Lowest level written. Default `info` (one line per request).
    public var level: Level = .info

    /// The defaults listed above.
    public init() {}
}

/// One sender. Key table: `[[source]]`, one per sender.
public struct SourceConfig: Sendable, Equatable {
    /// Unique name, used in logs, metrics and the envelope's `source`. Required.
    public var name: String
    /// HTTP path the sender posts to, starting with `/`. Required, unique.
    public var path: String
    /// Verification scheme. Required.
    public var scheme: SchemeKind
    /// Secrets, newest first; any of them verifies (rotation). Required unless scheme is `none`.
    public var secrets: [SecretReference]
    /// Allowed clock difference for signed timestamps, past and future. `nil` = the scheme's default.
    public var tolerance: Duration?
    /// Where the dedupe key comes from. `nil` = the scheme's default.
    public var dedupeKey: DedupeKeyRule?
    /// How long a delivered key is remembered. Default 7 days.
    public var dedupeWindow: Duration
    /// CIDRs allowed to post. Empty = any address. Required (non-empty) for scheme `none`.
    public var allowIPs: [String]
    /// Settings of the generic `hmac` scheme; required for it, refused for others.
    public var hmac: GenericHMACSettings?

    /// Creates a source; optional settings default as documented above.
    public init(name: String, path: String, scheme: SchemeKind, secrets: [SecretReference] = [], tolerance: Duration? = nil,
                dedupeKey: DedupeKeyRule? = nil, dedupeWindow: Duration = .seconds(7 * 86_400), allowIPs: [String] = [],
                hmac: GenericHMACSettings? = nil) {
        self.name = name
        self.path = path
        self.scheme = scheme
        self.secrets = secrets
        self.tolerance = tolerance
        self.dedupeKey = dedupeKey
        self.dedupeWindow = dedupeWindow
        self.allowIPs = allowIPs
        self.hmac = hmac
    }
}

/// Where a secret's value comes from, as written in `pipeline.conf`.
public enum SecretReference: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// `env:NAME` — an environment variable of the daemon.
    case environment(String)
    /// `file:/path` — the file's content, one trailing newline removed.
    case file(String)
    /// `credential:NAME` — a systemd credential, `$CREDENTIALS_DIRECTORY/NAME`.
    case credential(String)
    /// Any other string: the secret itself. Allowed, but `hookpipe check` warns.
    case literal(String)

    /// Safe to print: names where the value comes from, never a literal value.
    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .credential(let name): "credential:\(name)"
        case .literal: "<inline literal>"
        }
    }

    /// No children, so `dump` and other mirror-based printing cannot show a literal's value.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .enum) }
}
