/// How many connections the file descriptor limit leaves room for, once the
/// daemon's other descriptors are set aside: when connections may take every
/// descriptor, the store cannot open a file, a stage cannot be restarted
/// (`pipe2`: too many open files) and `status.json` cannot be written.
///
/// The reserve, counted for docs/OPERATIONS.md's table:
/// - `fixed` (32): stdin/stdout/stderr, the store (SQLite's writer and up to
///   five readers, each with the database and WAL open, plus the shared
///   memory file), the listening sockets, the state directory's lock, the
///   systemd notify socket, `status.json` being rewritten, the files a
///   reload reads (config, secrets, TLS);
/// - 3 per event-loop thread (NIO's epoll, eventfd and timerfd);
/// - 8 per stage (three pipe ends held, six more while a restart spawns);
/// - the admin listener's connection limit, when it is enabled;
/// - ``ConnectionGate``'s refusals in progress (64) and 16 for accepts in flight.
///
/// No I/O: ``DescriptorLimit`` reads and raises the limit.
public struct DescriptorBudget: Equatable, Sendable {
    public static let fixed = 32
    public static let perThread = 3
    public static let perStage = 8
    public static let acceptHeadroom = 64 + 16

    /// Descriptors set aside for everything but the public listener's connections.
    public var reserve: Int
    /// Connections the public listener may hold: the configured number, or
    /// fewer when the limit leaves no room for it.
    public var maxConnections: Int
    /// `maxConnections` is below what was configured.
    public var lowered: Bool

    /// - Parameters:
    ///   - descriptorLimit: the soft `RLIMIT_NOFILE` (after raising it).
    ///   - configured: `[server] max_connections`.
    ///   - adminConnections: the admin listener's limit, 0 when it is off.
    public init(descriptorLimit: Int, configured: Int, threads: Int, stages: Int, adminConnections: Int) {
        reserve = Self.fixed + Self.perThread * max(1, threads) + Self.perStage * max(0, stages)
            + max(0, adminConnections) + Self.acceptHeadroom
        // At least a handful of connections, even under an absurdly low limit
        // (the reserve is an estimate; the accept backoff covers the rest).
        let room = max(8, descriptorLimit - reserve)
        maxConnections = min(configured, room)
        lowered = maxConnections < configured
    }
}
