public import HookpipeStore
public import HookpipeTelemetry
public import Logging
import Foundation
import HookpipeSync
import NIOCore
import NIOSSL
import PostgresNIO

/// How to reach PostgreSQL and how this node behaves on it.
public struct PostgresStoreSettings: Sendable {
    public var url: PostgresConnectionURL
    /// Connections this node keeps open at most.
    public var poolSize: Int
    /// Time to open a connection.
    public var connectTimeout: Duration
    /// Time one operation (a batch's transaction, a read) may take before its
    /// outcome is treated as unknown: the batch is answered 503 and retried.
    public var operationTimeout: Duration
    /// Most events committed in one transaction.
    public var maxBatch: Int
    /// The chain lease's time to live (renewed every fifth of it).
    public var leaseTTL: Duration
    /// Pause between two sequencer sweeps that found nothing to number.
    public var sweepInterval: Duration
    /// This process's id among the nodes: `host:pid:start-µs`.
    public var nodeID: String
    /// Shown in `pg_stat_activity.application_name`.
    public var applicationName: String

    public init(url: PostgresConnectionURL, poolSize: Int = 8, connectTimeout: Duration = .seconds(5),
                operationTimeout: Duration = .seconds(10), maxBatch: Int = 1024, leaseTTL: Duration = .seconds(10),
                sweepInterval: Duration = .milliseconds(20), nodeID: String = PostgresStoreSettings.makeNodeID(),
                applicationName: String = "hookpipe") {
        self.url = url
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.maxBatch = maxBatch
        self.leaseTTL = leaseTTL
        self.sweepInterval = sweepInterval
        self.nodeID = nodeID
        self.applicationName = applicationName
    }

    /// `host:pid:microseconds since the epoch at start`: unique per process start,
    /// so a restarted node is a new holder and never resumes an old epoch.
    public static func makeNodeID() -> String {
        let host = ProcessInfo.processInfo.hostName
        let started = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return "\(host):\(getpid()):\(started)"
    }
}

/// The event store on PostgreSQL, shared by every node of a deployment
/// (docs/ARCHITECTURE.md, "PostgreSQL backend and the chain lease").
///
/// Appends go through a ``GroupCommitQueue`` like SQLite's: one writer
/// thread, one transaction per batch (`BEGIN`, `append_batch(…)`, `COMMIT`),
/// and an event is acknowledged only once `COMMIT` completed. Sequence
/// numbers are assigned afterwards by the chain holder's sequencer
/// (``LeaseKeeper``), so ``AppendOutcome/stored(seq:)`` carries `nil`.
public final class PostgresEventStore: EventStore {
    public enum Role: Sendable {
        /// `hookpipe run`: takes part in the chain lease and, holding it, numbers events.
        case daemon
        /// An operator command next to running daemons: reads and appends only.
        case operatorCommand(readOnly: Bool)
    }

    let client: PostgresClient
    private let clientTask: Task<Void, Never>
    let queue: GroupCommitQueue
    let observers = AppendObservers()
    let logger: Logger
    let settings: PostgresStoreSettings
    let readOnly: Bool
    private let closed = Locked(false)
    /// The lease and the sequencer; `nil` for operator commands.
    let keeper: LeaseKeeper?

    public var chainLease: (any ChainLease)? { keeper }

    /// Connects, applies the schema migrations (serialised across nodes by a
    /// transaction-scoped advisory lock) and, for the daemon, starts the lease
    /// keeper. Fails when PostgreSQL cannot be reached within `connectTimeout`
    /// (twice, with a pause) or its schema is newer than this build knows.
    public static func open(_ settings: PostgresStoreSettings, role: Role, logger: Logger,
                            metrics: StoreMetrics = StoreMetrics()) async throws(StoreError) -> PostgresEventStore {
        let readOnly = if case .operatorCommand(true) = role { true } else { false }
        let client = PostgresClient(configuration: makeConfiguration(settings, readOnly: readOnly), backgroundLogger: logger)
        let clientTask = Task { await client.run() }
        do {
            try await withDeadline(settings.connectTimeout + settings.operationTimeout) {
                try await client.rows("SELECT 1", logger: logger)
            }
            if !readOnly { try await migrate(client, logger: logger, timeout: settings.operationTimeout) }
        } catch {
            clientTask.cancel()
            throw PostgresFailure.storeError(error, doing: "connect to \(settings.url)")
        }
        return PostgresEventStore(client: client, clientTask: clientTask, settings: settings, role: role, readOnly: readOnly,
                                  logger: logger, metrics: metrics)
    }

    private init(client: PostgresClient, clientTask: Task<Void, Never>, settings: PostgresStoreSettings, role: Role,
                 readOnly: Bool, logger: Logger, metrics: StoreMetrics) {
        self.client = client
        self.clientTask = clientTask
        self.settings = settings
        self.logger = logger
        self.readOnly = readOnly
        let (operationTimeout, observers) = (settings.operationTimeout, observers)
        queue = GroupCommitQueue(maxBatch: settings.maxBatch, commit: { batch in
            let start = DispatchTime.now().uptimeNanoseconds
            let result = Result {
                try blockingAwait { try await withDeadline(operationTimeout) { try await Self.commit(batch, client: client, logger: logger) } }
            }.mapError { PostgresFailure.storeError($0, doing: "commit \(batch.count) event(s)") }
            switch result {
            case .success: metrics.committed(nanoseconds: DispatchTime.now().uptimeNanoseconds &- start)
            case .failure(let error): metrics.commitFailed(code: error.code.rawValue)
            }
            return result
        })
        if case .daemon = role {
            let keeper = LeaseKeeper(client: client, settings: settings, logger: logger) { events in observers.notify(events) }
            self.keeper = keeper
            keeper.start(reader: { [client, logger] after, limit in
                try await Self.events(after: after, limit: limit, client: client, logger: logger)
            })
        } else {
            keeper = nil
        }
    }

    static func makeConfiguration(_ settings: PostgresStoreSettings, readOnly: Bool) -> PostgresClient.Configuration {
        let url = settings.url
        var configuration: PostgresClient.Configuration
        switch url.endpoint {
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: url.user, password: url.password, database: url.database)
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS
            switch url.tls {
            case .disable:
                tls = .disable
            case .require:
                var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
                tlsConfiguration.certificateVerification = .none
                tls = .require(tlsConfiguration)
            case .verifyFull:
                tls = .require(TLSConfiguration.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: url.user, password: url.password, database: url.database, tls: tls)
        }
        configuration.options.connectTimeout = settings.connectTimeout
        configuration.options.maximumConnections = max(2, settings.poolSize)
        configuration.options.minimumConnections = 0
        // Whatever the role's or the database's defaults say: every commit is
        // durable before it is acknowledged, and nothing of ours can hold the
        // sequencer's horizon (an xid) for long.
        var parameters = [
            ("application_name", settings.applicationName),
            ("synchronous_commit", "on"),
            ("idle_in_transaction_session_timeout", "\(max(1000, settings.operationTimeout.milliseconds))"),
            ("statement_timeout", "\(max(1000, settings.operationTimeout.milliseconds))"),
        ]
        if readOnly { parameters.append(("default_transaction_read_only", "on")) }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }

    // MARK: Appends

    public func append(_ event: IncomingEvent) async throws(StoreError) -> AppendOutcome {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<AppendOutcome, StoreError>, Never>) in
            append(event) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    public func append(_ event: IncomingEvent, completion: @escaping @Sendable (Result<AppendOutcome, StoreError>) -> Void) {
        guard !readOnly else {
            completion(.failure(StoreError(.unavailable, "the store was opened read-only")))
            return
        }
        queue.enqueue(event, completion: completion)
    }

    /// One batch in one transaction. The outcomes are returned only after
    /// `COMMIT` completed: postgres-nio reports a row-returning statement done
    /// at its CommandComplete, before an implicit transaction's commit, so the
    /// batch runs in an explicit one.
    static func commit(_ batch: [IncomingEvent], client: PostgresClient, logger: Logger) async throws -> [AppendOutcome] {
        let count = batch.count
        let (sources, keys) = (batch.map(\.source), batch.map(\.dedupeKey))
        let received = batch.map(\.receivedAtMicros)
        let windows = batch.map { $0.dedupeWindow.microseconds }
        let metadata = batch.map { ByteBuffer(bytes: $0.metadata) }
        let payloads = batch.map { ByteBuffer(bytes: $0.payload) }
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.rows(
                "SELECT ord, stored, seq FROM hookpipe.append_batch(\(sources), \(keys), \(received), \(windows), \(metadata), \(payloads))",
                logger: logger)
            var outcomes = [AppendOutcome?](repeating: nil, count: count)
            for row in rows {
                let (ord, stored, seq) = try row.decode((Int32, Bool, Int64?).self)
                let index = Int(ord) - 1
                guard outcomes.indices.contains(index) else { continue }
                outcomes[index] = stored ? .stored(seq: nil) : .duplicate(seq: seq)
            }
            let answered = outcomes.compactMap { $0 }
            guard answered.count == count else {
                throw StoreError(.unavailable, "append_batch answered \(answered.count) of \(count) positions")
            }
            return answered
        }
    }

    // MARK: Reads

    static let eventColumns = "s.seq, e.source, e.dedupe_key, e.received_at, e.metadata, e.payload"

    static func events(after: Int64, limit: Int, client: PostgresClient, logger: Logger) async throws -> [StoredEvent] {
        let rows = try await client.rows("""
            SELECT \(unescaped: eventColumns) FROM hookpipe.event_seq s JOIN hookpipe.events e ON e.id = s.event_id
            WHERE s.seq > \(after) ORDER BY s.seq LIMIT \(Int64(limit))
            """, logger: logger)
        return try await decodeEvents(rows)
    }

    static func decodeEvents(_ rows: [PostgresRow]) async throws -> [StoredEvent] {
        var events: [StoredEvent] = []
        for row in rows {
            let (seq, source, key, received, metadata, payload) = try row.decode((Int64, String, String, Int64, ByteBuffer, ByteBuffer).self)
            events.append(StoredEvent(seq: seq, source: source, dedupeKey: key, receivedAtMicros: received,
                                      metadata: Array(metadata.readableBytesView), payload: Array(payload.readableBytesView)))
        }
        return events
    }

    /// Runs a read (or a write that is not an append) with the operation
    /// deadline, mapping every failure to a ``StoreError``.
    func run<T: Sendable>(_ action: String, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws(StoreError) -> T {
        if closed.withLock({ $0 }) { throw StoreError(.closed, "the store is closed") }
        let (client, logger) = (client, logger)
        do {
            return try await withDeadline(settings.operationTimeout) { try await body(client, logger) }
        } catch {
            throw PostgresFailure.storeError(error, doing: action)
        }
    }

    public func events(after: Int64, limit: Int) async throws(StoreError) -> [StoredEvent] {
        try await run("read events") { client, logger in try await Self.events(after: after, limit: limit, client: client, logger: logger) }
    }

    public func lastSequence() async throws(StoreError) -> Int64 {
        try await run("read the last sequence number") { client, logger in
            let rows = try await client.rows("SELECT last_seq FROM hookpipe.chain_lease WHERE name = 'chain'", logger: logger)
            if let row = rows.first { return try row.decode(Int64.self) }
            return 0
        }
    }

    public func checkpoint(_ consumer: String) async throws(StoreError) -> Int64 {
        try await run("read checkpoint \(consumer)") { client, logger in
            let rows = try await client.rows("SELECT seq FROM hookpipe.checkpoints WHERE consumer = \(consumer)", logger: logger)
            if let row = rows.first { return try row.decode(Int64.self) }
            return 0
        }
    }

    public func observeAppends(_ observer: @escaping @Sendable ([StoredEvent]) -> Void) {
        observers.add(observer)
    }

    /// Stops the lease keeper (releasing nothing: the chain controller
    /// releases the lease after its drain), drains the commit queue and closes
    /// the connections.
    public func close() async {
        guard closed.withLock({ wasClosed in defer { wasClosed = true }; return !wasClosed }) else { return }
        await keeper?.stop()
        queue.close()
        clientTask.cancel()
        _ = await clientTask.value
    }
}

extension Duration {
    /// Whole milliseconds, saturating.
    var milliseconds: Int64 { microseconds / 1000 }
}
