public import HookpipeTelemetry
public import Logging
import Foundation
import GRDB
import HookpipeSync

/// The embedded store: one SQLite database file in WAL mode with
/// `synchronous = FULL`, so a commit returns only after the WAL is fsync'd.
///
/// Appends go through a ``GroupCommitQueue``: one writer thread, many events
/// per transaction. Reads use the pool's reader connections and never block
/// the writer.
public final class SQLiteEventStore: EventStore {
    private let openPool: DatabasePool
    let queue: GroupCommitQueue
    private let logger: Logger
    let observers = AppendObservers()
    /// Set by the first ``close()``; GRDB must not touch a closed pool again.
    private let closed = Locked(false)
    /// Opened read-only: nothing is ever written, not even at ``close()``.
    let readOnly: Bool

    /// The pool, or ``StoreError/Code/closed`` once ``close()`` began.
    var pool: DatabasePool {
        get throws(StoreError) {
            if closed.withLock({ $0 }) { throw StoreError(.closed, "the store is closed") }
            return openPool
        }
    }

    /// Opens (creating if needed) the database at `path` and brings its schema
    /// up to date. SQLite replays its WAL here, so recovery after a crash is
    /// complete when this returns.
    ///
    /// With `readOnly` (the operator's `status`, `tail`, `dlq list`) the file
    /// must exist and is never written: SQLite opens it read-only, the schema
    /// is not migrated, the WAL is neither inspected (the daemon that owns it
    /// may be appending a frame right now) nor folded in at ``close()``, and
    /// appends fail.
    ///
    /// - Parameters:
    ///   - maxBatch: most events committed in one transaction.
    ///   - metrics: told each commit's latency, or its failure.
    public init(path: String, maxBatch: Int = 1024, readOnly: Bool = false, logger: Logger,
                metrics: StoreMetrics = StoreMetrics()) throws(StoreError) {
        self.logger = logger
        self.readOnly = readOnly
        let pool = try readOnly ? Self.openReadOnly(path: path) : Self.openForWriting(path: path, logger: logger)
        self.openPool = pool
        // Only the writer thread touches `lastPrune`.
        var lastPrune = Date.distantPast
        let observers = self.observers
        self.queue = GroupCommitQueue(maxBatch: maxBatch, commit: { batch in
            let start = DispatchTime.now().uptimeNanoseconds
            let result = Self.commit(batch, in: pool, lastPrune: &lastPrune)
            switch result {
            case .success: metrics.committed(nanoseconds: DispatchTime.now().uptimeNanoseconds &- start)
            case .failure(let error): metrics.commitFailed(code: error.code.rawValue)
            }
            return result
        }, committed: { batch, outcomes in
            // After the batch's answers are on their way: observers (the chain
            // building its lines) are not part of any acknowledgement.
            observers.notify(batch, outcomes)
        })
    }

    public func append(_ event: IncomingEvent) async throws(StoreError) -> AppendOutcome {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<AppendOutcome, StoreError>, Never>) in
            queue.enqueue(event) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Callback form of ``append(_:)`` for callers on an event loop: `completion`
    /// runs on the writer thread once the batch holding `event` is durable.
    public func append(_ event: IncomingEvent, completion: @escaping @Sendable (Result<AppendOutcome, StoreError>) -> Void) {
        queue.enqueue(event, completion: completion)
    }

    public func events(after: Int64, limit: Int) async throws(StoreError) -> [StoredEvent] {
        try await events(matching: EventFilter(fromSeq: after + 1), limit: limit, newestFirst: false)
    }

    public func lastSequence() async throws(StoreError) -> Int64 {
        do {
            return try await pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0
            }
        } catch {
            throw StoreError.from(error, doing: "read the last sequence number")
        }
    }

    public func checkpoint(_ consumer: String) async throws(StoreError) -> Int64 {
        do {
            return try await pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT seq FROM checkpoints WHERE consumer = ?", arguments: [consumer]) ?? 0
            }
        } catch {
            throw StoreError.from(error, doing: "read checkpoint \(consumer)")
        }
    }

    public func saveCheckpoint(_ consumer: String, seq: Int64) async throws(StoreError) {
        do {
            try await pool.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO checkpoints (consumer, seq) VALUES (?, ?)", arguments: [consumer, seq])
            }
        } catch {
            throw StoreError.from(error, doing: "save checkpoint \(consumer)")
        }
    }

    public func addDeadLetter(_ letter: DeadLetter) async throws(StoreError) -> Int64 {
        do {
            return try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO dead_letters (seq, stage, reason, stderr_tail, line, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [letter.seq, letter.stage, letter.reason, letter.stderrTail.joined(separator: "\n"),
                                Data(letter.line), letter.createdAtMicros])
                return db.lastInsertedRowID
            }
        } catch {
            throw StoreError.from(error, doing: "store a dead letter")
        }
    }

    public func deadLetters(limit: Int) async throws(StoreError) -> [DeadLetter] {
        try await deadLetters(after: 0, limit: limit)
    }

    public func prune(receivedBefore cutoffMicros: Int64, upTo seq: Int64) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                try db.execute(sql: """
                    DELETE FROM events WHERE seq <= ? AND received_at < ?
                    AND seq NOT IN (SELECT seq FROM dead_letters)
                    """, arguments: [seq, cutoffMicros])
                return db.changesCount
            }
        } catch {
            throw StoreError.from(error, doing: "prune events")
        }
    }

    public func observeAppends(_ observer: @escaping @Sendable ([StoredEvent]) -> Void) {
        observers.add(observer)
    }

    /// The writer connection's `PRAGMA synchronous` (2 = FULL: every commit syncs the WAL).
    func synchronousLevel() async throws(StoreError) -> Int {
        do {
            return try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        } catch {
            throw StoreError.from(error, doing: "read PRAGMA synchronous")
        }
    }

    /// Drains the commit queue, folds the WAL into the database file (so a
    /// stopped store is one self-contained file, quick to open), and closes.
    public func close() async {
        guard closed.withLock({ wasClosed in defer { wasClosed = true }; return !wasClosed }) else { return }
        queue.close()
        if !readOnly {
            do {
                _ = try await openPool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            } catch let error where StoreError.from(error, doing: "checkpoint").code == .full {
                logger.warning("the disk holding the store is full: its WAL was not folded into the database file (it keeps every commit; the next start folds it)",
                               metadata: ["error": "\(error)"])
            } catch {
                logger.warning("store could not fold its WAL into the database file", metadata: ["error": "\(error)"])
            }
        }
        do {
            try openPool.close()
        } catch {
            logger.warning("store did not close cleanly", metadata: ["error": "\(error)"])
        }
    }

    /// Runs on the writer thread: one transaction for the whole batch. Once a
    /// minute the same transaction also forgets dedupe keys whose window ended.
    /// Inside a write transaction: each event's dedupe lookup, and for a new
    /// key its journal row and dedupe entry.
    static func appendRows(_ batch: [IncomingEvent], in db: Database, nowMicros: Int64) throws -> [AppendOutcome] {
        let statements = try AppendStatements(db)
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for event in batch {
            if let entry = try statements.dedupeEntry(source: event.source, key: event.dedupeKey),
               entry.expiresAtMicros > nowMicros {
                outcomes.append(.duplicate(seq: entry.seq))
                continue
            }
            let seq = try statements.insert(event)
            try statements.remember(source: event.source, key: event.dedupeKey, seq: seq,
                                    expiresAtMicros: nowMicros + event.dedupeWindow.microseconds)
            outcomes.append(.stored(seq: seq))
        }
        return outcomes
    }

    private static func commit(_ batch: [IncomingEvent], in pool: DatabasePool, lastPrune: inout Date) -> Result<[AppendOutcome], StoreError> {
        let now = Date()
        let prune = now.timeIntervalSince(lastPrune) > 60
        let nowMicros = Int64(now.timeIntervalSince1970 * 1_000_000)
        do {
            let outcomes = try pool.write { db -> [AppendOutcome] in
                let outcomes = try appendRows(batch, in: db, nowMicros: nowMicros)
                if prune {
                    try db.execute(sql: "DELETE FROM dedupe WHERE expires_at <= ?", arguments: [nowMicros])
                }
                return outcomes
            }
            if prune { lastPrune = now }
            return .success(outcomes)
        } catch {
            return .failure(StoreError.from(error, doing: "commit \(batch.count) event(s)"))
        }
    }
}

/// Callbacks told about the events each commit stored.
package final class AppendObservers: Sendable {
    package init() {}

    private let observers = Locked<[@Sendable ([StoredEvent]) -> Void]>([])

    package func add(_ observer: @escaping @Sendable ([StoredEvent]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Tells every observer of the events in `batch` that `outcomes` say were
    /// stored (duplicates were not); nothing when none were, or nobody listens.
    package func notify(_ batch: [IncomingEvent], _ outcomes: [AppendOutcome]) {
        let observers = self.observers.withLock { $0 }
        guard !observers.isEmpty else { return }
        let stored = zip(batch, outcomes).compactMap { event, outcome -> StoredEvent? in
            guard case .stored(let seq?) = outcome else { return nil }
            return StoredEvent(seq: seq, source: event.source, dedupeKey: event.dedupeKey,
                               receivedAtMicros: event.receivedAtMicros, metadata: event.metadata, payload: event.payload)
        }
        guard !stored.isEmpty else { return }
        for observer in observers { observer(stored) }
    }

    /// Tells every observer of `events`, already numbered (nothing when empty).
    package func notify(_ events: [StoredEvent]) {
        guard !events.isEmpty else { return }
        for observer in observers.withLock({ $0 }) { observer(events) }
    }
}

extension Duration {
    /// Whole microseconds, saturating.
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? Int64.max / 2 : scaled + attoseconds / 1_000_000_000_000
    }
}

extension StoreError {
    /// Classifies a GRDB/SQLite error: full disk, damage, or anything else unavailable.
    static func from(_ error: any Error, doing action: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(.unavailable, "\(action): \(error)")
        }
        let detail = "\(action): SQLite \(error.resultCode): \(error.message ?? "no message")"
        switch error.resultCode {
        case .SQLITE_FULL: return StoreError(.full, detail)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError(.corrupt, detail)
        default: return StoreError(.unavailable, detail)
        }
    }
}
