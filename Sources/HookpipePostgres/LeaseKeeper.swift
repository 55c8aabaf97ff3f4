import HookpipeStore
import Foundation
import HookpipeSync
import Logging
import PostgresNIO

/// The daemon's side of the chain lease: takes the lease when it is free,
/// renews it, gives it up, and, while holding it, runs the sequencer that
/// numbers committed events (docs/ARCHITECTURE.md, "The sequencer" and "The
/// chain lease, step by step"). Every node runs one; at most one holds.
final class LeaseKeeper: ChainLease, Sendable {
    private let client: PostgresClient
    private let settings: PostgresStoreSettings
    private let terms: LeaseTerms
    private let logger: Logger
    /// Told the events each sweep numbered, in seq order (the chain's feeder).
    private let sequenced: @Sendable ([StoredEvent]) -> Void
    private let held = Locked<LeaseTrust?>(nil)
    private let tasks = Locked<[Task<Void, Never>]>([])
    /// Most events one sweep numbers.
    static let sweepLimit: Int32 = 10_000

    init(client: PostgresClient, settings: PostgresStoreSettings, logger: Logger,
         sequenced: @escaping @Sendable ([StoredEvent]) -> Void) {
        self.client = client
        self.settings = settings
        self.terms = LeaseTerms(ttl: settings.leaseTTL)
        self.logger = logger
        self.sequenced = sequenced
    }

    /// Starts the lease loop and the sequencer loop.
    func start(reader: @escaping @Sendable (Int64, Int) async throws -> [StoredEvent]) {
        let lease = Task { [self] in await leaseLoop() }
        let sequencer = Task { [self] in await sequencerLoop(reader: reader) }
        tasks.withLock { $0 = [lease, sequencer] }
    }

    /// Stops both loops (the lease is released by the chain controller's
    /// drain, or expires).
    func stop() async {
        let running = tasks.withLock { tasks in defer { tasks = [] }; return tasks }
        for task in running { task.cancel() }
        for task in running { await task.value }
        held.withLock { $0 = nil }
        // Gone from `hookpipe status` at once rather than when its heartbeat ages out.
        let (node, logger) = (settings.nodeID, logger)
        _ = try? await withDeadline(settings.operationTimeout) { [client] in
            try await client.rows("DELETE FROM hookpipe.nodes WHERE node_id = \(node)", logger: logger)
        }
    }

    // MARK: ChainLease

    func acquire() async throws -> Int64 {
        while true {
            try Task.checkCancellation()
            if let trust = held.withLock({ $0 }), trust.isTrusted(at: .now) { return trust.epoch }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func lost(epoch: Int64) async {
        while !Task.isCancelled {
            guard let trust = held.withLock({ $0 }), trust.epoch == epoch, trust.isTrusted(at: .now) else {
                if held.withLock({ $0?.epoch == epoch }) {
                    lose(epoch: epoch, reason: "its renewal is overdue: trust ran out before a renewal succeeded")
                }
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    var timeToLive: Duration { terms.ttl }

    func isTrusted(epoch: Int64, margin: Duration) -> Bool {
        held.withLock { $0?.epoch == epoch && $0?.isTrusted(at: .now, margin: margin) == true }
    }

    func release(epoch: Int64) async {
        guard lose(epoch: epoch, reason: nil) else { return }
        let (node, logger) = (settings.nodeID, logger)
        do {
            try await withDeadline(settings.operationTimeout) { [client] in
                try await client.rows("""
                    UPDATE hookpipe.chain_lease SET expires_at = now()
                    WHERE name = 'chain' AND holder = \(node) AND epoch = \(epoch)
                    """, logger: logger)
            }
            logger.notice("chain lease released", metadata: ["lease.epoch": "\(epoch)", "lease.node": "\(node)"])
        } catch {
            logger.warning("cannot release the chain lease; another node takes over when it expires",
                           metadata: ["lease.epoch": "\(epoch)", "error": "\(PostgresFailure.storeError(error, doing: "release the lease"))"])
        }
    }

    func state() -> ChainLeaseState {
        ChainLeaseState(node: settings.nodeID, heldEpoch: held.withLock { $0?.epoch })
    }

    /// Forgets the lease of `epoch` (when it is still the one held); logs
    /// `reason` when given. Returns whether it was held.
    @discardableResult
    func lose(epoch: Int64, reason: String?) -> Bool {
        let dropped = held.withLock { trust -> Bool in
            guard trust?.epoch == epoch else { return false }
            trust = nil
            return true
        }
        if dropped, let reason {
            logger.error("chain lease lost: this node stops the chain", metadata: [
                "lease.epoch": "\(epoch)", "lease.node": "\(settings.nodeID)", "reason": "\(reason)",
            ])
        }
        return dropped
    }

    // MARK: Loops

    private func leaseLoop() async {
        var generator = SystemRandomNumberGenerator()
        var lastHeartbeat: ContinuousClock.Instant?
        while !Task.isCancelled {
            let pause: Duration
            if let trust = held.withLock({ $0 }) {
                await renew(trust)
                pause = terms.renewEvery
            } else {
                await tryAcquire()
                pause = held.withLock({ $0 }) == nil ? terms.acquirePause(unit: Double.random(in: 0...1, using: &generator))
                    : terms.renewEvery
            }
            if lastHeartbeat.map({ ContinuousClock.now - $0 >= terms.renewEvery }) ?? true {
                lastHeartbeat = .now
                await heartbeat()
            }
            try? await Task.sleep(for: pause)
        }
    }

    private func tryAcquire() async {
        let (node, ttl, logger) = (settings.nodeID, terms.ttl.microseconds, logger)
        let sentAt = ContinuousClock.now
        do {
            let epoch: Int64? = try await withDeadline(settings.operationTimeout) { [client] in
                let rows = try await client.rows("""
                    UPDATE hookpipe.chain_lease SET holder = \(node), epoch = epoch + 1, acquired_at = now(),
                           renewed_at = now(), expires_at = now() + \(ttl) * interval '1 microsecond'
                    WHERE name = 'chain' AND expires_at <= now() RETURNING epoch
                    """, logger: logger)
                if let row = rows.first { return try row.decode(Int64.self) }
                return nil
            }
            guard let epoch else { return }
            held.withLock { $0 = LeaseTrust(epoch: epoch, sentAt: sentAt, terms: terms) }
            logger.notice("chain lease acquired: this node runs the chain", metadata: [
                "lease.epoch": "\(epoch)", "lease.node": "\(node)", "lease.ttl": "\(terms.ttl)",
            ])
        } catch {
            logger.debug("cannot try the chain lease", metadata: ["error": "\(PostgresFailure.storeError(error, doing: "acquire the lease"))"])
        }
    }

    private func renew(_ trust: LeaseTrust) async {
        let (node, epoch, ttl, logger) = (settings.nodeID, trust.epoch, terms.ttl.microseconds, logger)
        let sentAt = ContinuousClock.now
        let limit = min(settings.operationTimeout, trust.remaining(at: sentAt))
        do {
            guard limit > .zero else { throw DeadlineExceeded(after: .zero) }
            let renewed: Bool = try await withDeadline(limit) { [client] in
                let rows = try await client.rows("""
                    UPDATE hookpipe.chain_lease SET renewed_at = now(), expires_at = now() + \(ttl) * interval '1 microsecond'
                    WHERE name = 'chain' AND holder = \(node) AND epoch = \(epoch) AND expires_at > now() RETURNING 1
                    """, logger: logger)
                if !rows.isEmpty { return true }
                return false
            }
            if renewed {
                held.withLock { current in
                    if current?.epoch == epoch { current?.renewed(sentAt: sentAt, terms: terms) }
                }
            } else {
                lose(epoch: epoch, reason: "the renewal updated nothing: the lease expired or another node took it")
            }
        } catch {
            if !trust.isTrusted(at: .now) {
                lose(epoch: epoch, reason: "no renewal succeeded before trust ran out (\(PostgresFailure.storeError(error, doing: "renew the lease")))")
            } else {
                logger.warning("cannot renew the chain lease; retrying while it is still trusted", metadata: [
                    "lease.epoch": "\(epoch)", "error": "\(PostgresFailure.storeError(error, doing: "renew the lease"))",
                ])
            }
        }
    }

    /// Every node's heartbeat row, for status (not fenced, best effort).
    private func heartbeat() async {
        let (node, logger) = (settings.nodeID, logger)
        _ = try? await withDeadline(settings.operationTimeout) { [client] in
            try await client.rows("""
                INSERT INTO hookpipe.nodes (node_id, address, started_at, seen_at) VALUES (\(node), '', now(), now())
                ON CONFLICT (node_id) DO UPDATE SET seen_at = now()
                """, logger: logger)
        }
    }

    /// While this node holds the lease: number the events below the horizon,
    /// again at once when a sweep was full, else every `sweepInterval`; tell
    /// the feeder what was numbered.
    private func sequencerLoop(reader: @escaping @Sendable (Int64, Int) async throws -> [StoredEvent]) async {
        let (node, logger) = (settings.nodeID, logger)
        while !Task.isCancelled {
            guard let epoch = held.withLock({ $0?.epoch }) else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            var full = false
            do {
                let result: (Bool, Int64, Int64?)? = try await withDeadline(settings.operationTimeout) { [client] in
                    let rows = try await client.rows(
                        "SELECT held, sequenced, last_seq FROM hookpipe.sequence_events(\(node), \(epoch), \(Self.sweepLimit))",
                        logger: logger)
                    return try rows.first?.decode((Bool, Int64, Int64?).self)
                }
                if let (stillHeld, count, last) = result {
                    if !stillHeld {
                        lose(epoch: epoch, reason: "the sequencer's fenced sweep was refused: another node holds the lease")
                    } else if count > 0, let last {
                        full = count >= Int64(Self.sweepLimit)
                        let events = try await withDeadline(settings.operationTimeout) { try await reader(last - count, Int(count)) }
                        sequenced(events)
                    }
                }
            } catch {
                logger.warning("sequencer sweep failed; retrying", metadata: [
                    "error": "\(PostgresFailure.storeError(error, doing: "sequence events"))",
                ])
                try? await Task.sleep(for: .milliseconds(200))
            }
            if !full { try? await Task.sleep(for: settings.sweepInterval) }
        }
    }
}
