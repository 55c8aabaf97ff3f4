/// # `pipeline.conf` key reference
///
/// TOML; comments allowed. Unknown keys are errors (the message lists the valid
/// ones). Durations are strings with a unit, `"250ms"`, `"10s"`, `"5m"`,
/// `"72h"`, `"7d"`, or an integer number of seconds; all must be positive.
///
/// ```toml
/// [server]                        # optional table
/// host = "127.0.0.1"              # listen address; default "127.0.0.1"
/// port = 8080                     # 1–65535; default 8080
/// max_body_bytes = 1048576        # > 0; default 1048576 (1 MiB)
/// max_header_bytes = 16384        # > 0; default 16384 (16 KiB)
/// max_connections = 1024          # > 0; default 1024 (lowered at start to fit RLIMIT_NOFILE)
/// request_timeout = "10s"         # default "10s"
/// idle_timeout = "60s"            # default "60s"
/// first_byte_timeout = "10s"      # a new connection silent this long is closed; default request_timeout
/// threads = 0                     # >= 0, 0 = one per core; default 0
/// tls_certificate = "tls.pem"     # PEM chain for native HTTPS (with tls_key); default none (plain HTTP)
/// tls_key = "tls.key"             # PEM private key (with tls_certificate); default none
/// trusted_proxies = ["10.0.0.5"]  # proxies whose X-Forwarded-For names the client for allow_ips;
///                                 #   addresses or CIDRs; default [] (the header is ignored)
///
/// [store]                         # optional table
/// state_directory = "state"       # relative to the config file's directory; default "state",
///                                 # or $STATE_DIRECTORY (first entry) when the key is absent and it is set
/// max_batch = 1024                # > 0; default 1024
/// retention = "30d"               # settled events older than this are pruned; default "30d"
/// backend = "sqlite"              # "sqlite" (default) or "postgresql"; the keys below are PostgreSQL's
/// url = "env:HOOKPIPE_DATABASE_URL"  # required for postgresql: a secret reference to
///                                 # postgresql://USER:PASSWORD@HOST:PORT/DB?sslmode=disable|require|verify-full
/// pool_size = 8                   # > 0; connections per node; default 8
/// connect_timeout = "5s"          # default "5s"
/// operation_timeout = "10s"       # a transaction or read taking longer answers 503; default "10s"
/// lease_ttl = "10s"               # >= 1s; the chain lease's time to live; default "10s"
///
/// [admin]                         # optional table: /healthz, /readyz, /metrics
/// enabled = false                 # default false
/// host = "127.0.0.1"              # default "127.0.0.1" (loopback only)
/// port = 8081                     # 0–65535 (0: any free port, logged); default 8081
/// console = true                  # the web console under /console/; default true
/// console_actions = true          # its replay, retry and drop buttons; default true
/// console_auth = "credential:console"  # "user:password" or a token; required when
///                                 #   host is not loopback (otherwise optional)
///
/// [log]                           # optional table
/// level = "info"                  # trace debug info notice warning error critical; default "info"
///
/// [[source]]                      # one or more
/// name = "stripe"                 # required, unique; letters, digits, ".", "_", "-"
/// path = "/hooks/stripe"          # required, unique; starts with "/", no "?" or "#"
/// scheme = "stripe"               # required: mercadopago stripe standard-webhooks github
///                                 #   shopify slack meta tiendanube hmac none
/// secrets = ["env:STRIPE_SECRET"] # newest first; or `secret = "…"` for one. Required unless
///                                 #   scheme is "none" (refused there). Each is "env:NAME",
///                                 #   "file:PATH" (relative to the config file's directory),
///                                 #   "credential:NAME" ($CREDENTIALS_DIRECTORY/NAME) or,
///                                 #   with a warning, the secret itself
/// tolerance = "5m"                # optional; default: the scheme's own
/// dedupe_key = "json:/id"         # optional: "header:NAME", "json:/pointer", "query:NAME",
///                                 #   "message-id", "body-sha256"; default: the scheme's own
/// dedupe_window = "7d"            # default "7d"
/// allow_ips = ["10.0.0.0/8"]      # optional, default [] = any address; non-empty for "none"
///
/// [source.hmac]                   # required for scheme "hmac", refused for the others
/// header = "X-Signature"          # required
/// algorithm = "sha256"            # sha1 sha256 sha512; default "sha256"
/// encoding = "hex"                # hex base64; default "hex"
/// prefix = "sha256="              # text before the digest; default ""
/// timestamp_header = "X-Timestamp"  # optional; signs "<timestamp>.<body>" when set
///
/// [chain]                         # optional table
/// output = "discard"              # where events leaving the last stage go: "discard", "stdout"
///                                 #   or "file:PATH" (relative to the config file's directory); default "discard"
/// max_in_flight = 1024            # > 0, events entered and not yet settled, whole chain; default 1024
/// flush_after = "1s"              # a stage holding events without progress this long is drained
///                                 #   (stdin closed, restarted); default "1s"
/// checkpoint_interval = "200ms"   # how often progress is recorded; default "200ms"
/// drain_timeout = "30s"           # graceful-stop deadline for the chain; default "30s"
/// poison_after = 3                # >= 1, consecutive crashes/timeouts of a stage with the same event
///                                 #   in flight before that event is isolated; default 3
/// stderr_tail = 20                # > 0, last stderr lines kept with a dead letter; default 20
///
/// [[stage]]                       # zero or more, in chain order; none = receive and store only
/// name = "jq"                     # required, unique; letters, digits, ".", "_", "-"
/// command = ["jq", "-c", "."]     # required: program and arguments, non-empty; with shell = true
///                                 #   one string instead, run as /bin/sh -c STRING
/// shell = false                   # default false
/// environment = { API_URL = "https://example.com" }  # added variables; names [A-Za-z_][A-Za-z0-9_]*,
///                                 #   not HOOKPIPE_* (reserved); PATH replaces the default; default {}
/// working_directory = "handlers"  # relative to the config file's directory; default: the daemon's
/// backoff_min = "100ms"           # first wait before a restart, growing up to backoff_max; default "100ms"
/// backoff_max = "30s"             # >= backoff_min, longest wait; default "30s"
/// healthy_after = "10s"           # running this long resets the backoff; default "10s"
/// fail_after = 5                  # > 0, restarts without becoming healthy before the stage is marked
///                                 #   failed (then retried every backoff_max); default 5
/// timeout = "30s"                 # > chain.flush_after, longest the stage may hold one event; default "30s"
/// max_in_flight = 256             # > 0, lines written to the stage and not yet passed on; default 256
/// ```
///
/// Each table is read in its own file: `ServerConfig+TOML.swift`,
/// `StoreConfig+TOML.swift`, `LogConfig+TOML.swift`, `SourceConfig+TOML.swift`,
/// `GenericHMACSettings+TOML.swift`, `ChainConfig+TOML.swift` (which also reads
/// the stages through `StageConfig+TOML.swift`). To add a top-level table, conform its
/// type to ``ConfigSection`` in a new file, add one line below and document
/// its keys above.
extension PipelineConfig {
    /// The top-level keys (tables) of `pipeline.conf`.
    static let tomlKeys = ["server", "store", "log", "admin", "source", "chain", "stage"]

    /// Reads a whole parsed file.
    init(toml root: TableReader, context: inout DecodingContext) throws(ConfigError) {
        try root.rejectUnknownKeys(Self.tomlKeys)
        self.init(
            server: try root.section("server", as: ServerConfig.self, context: &context),
            store: try root.section("store", as: StoreConfig.self, context: &context),
            log: try root.section("log", as: LogConfig.self, context: &context),
            sources: try SourceConfig.readAll("source", from: root, context: &context),
            chain: try ChainConfig.read(chain: "chain", stages: "stage", from: root, context: &context),
            admin: try root.section("admin", as: AdminConfig.self, context: &context)
        )
    }
}
