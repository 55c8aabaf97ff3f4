public import HookpipeStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The chain's own writes (checkpoints, dead letters), each fenced by the
/// lease: it lands only while this node holds the epoch it names, and a
/// refusal tells the lease keeper the lease is lost. Retention and the
/// integrity check, which any node may run.
extension PostgresEventStore {
    /// The token every holder-only write carries, or a refusal when this node holds no lease.
    func fence(_ action: String) throws(StoreError) -> (holder: String, epoch: Int64) {
        guard let keeper, let epoch = keeper.state().heldEpoch else {
            throw StoreError(.notLeaseHolder, "\(action): this node does not hold the chain lease")
        }
        return (settings.nodeID, epoch)
    }

    /// Called when a fenced write changed nothing: another node took the lease over.
    func fenceRefused(_ action: String, epoch: Int64) -> StoreError {
        keeper?.lose(epoch: epoch, reason: "a fenced write (\(action)) was refused: another node holds the lease")
        return StoreError(.notLeaseHolder, "\(action): the chain lease of epoch \(epoch) is no longer this node's")
    }

    public func saveCheckpoint(_ consumer: String, seq: Int64) async throws(StoreError) {
        let action = "save checkpoint \(consumer)"
        let (holder, epoch) = try fence(action)
        guard try await saveCheckpoint(consumer, seq: seq, holder: holder, epoch: epoch) else {
            throw fenceRefused(action, epoch: epoch)
        }
    }

    /// The fenced write itself: `false` when `(holder, epoch)` no longer holds
    /// the lease, and then nothing was written.
    func saveCheckpoint(_ consumer: String, seq: Int64, holder: String, epoch: Int64) async throws(StoreError) -> Bool {
        try await run("save checkpoint \(consumer)") { client, logger in
            let rows = try await client.rows("""
                WITH fence AS (SELECT epoch FROM hookpipe.chain_lease
                               WHERE name = 'chain' AND holder = \(holder) AND epoch = \(epoch) FOR SHARE)
                INSERT INTO hookpipe.checkpoints (consumer, seq, epoch, saved_at)
                SELECT \(consumer), \(seq), epoch, now() FROM fence
                ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, epoch = excluded.epoch, saved_at = excluded.saved_at
                RETURNING 1
                """, logger: logger)
            return !rows.isEmpty
        }
    }

    public func addDeadLetter(_ letter: DeadLetter) async throws(StoreError) -> Int64 {
        let action = "store a dead letter"
        let (holder, epoch) = try fence(action)
        guard let id = try await addDeadLetter(letter, holder: holder, epoch: epoch) else { throw fenceRefused(action, epoch: epoch) }
        return id
    }

    /// The fenced write itself: `nil` when `(holder, epoch)` no longer holds
    /// the lease, and then nothing was written.
    func addDeadLetter(_ letter: DeadLetter, holder: String, epoch: Int64) async throws(StoreError) -> Int64? {
        try await run("store a dead letter") { client, logger in
            // (seq, stage) is unique: a retry after an unknown outcome lands once.
            let rows = try await client.rows("""
                WITH fence AS (SELECT epoch FROM hookpipe.chain_lease
                               WHERE name = 'chain' AND holder = \(holder) AND epoch = \(epoch) FOR SHARE)
                INSERT INTO hookpipe.dead_letters (seq, stage, reason, stderr_tail, line, created_at, epoch)
                SELECT \(letter.seq), \(letter.stage), \(letter.reason), \(letter.stderrTail.joined(separator: "\n")),
                       \(ByteBuffer(bytes: letter.line)), \(letter.createdAtMicros), epoch FROM fence
                ON CONFLICT (seq, stage) DO UPDATE SET reason = excluded.reason, stderr_tail = excluded.stderr_tail,
                    line = excluded.line, created_at = excluded.created_at, epoch = excluded.epoch
                RETURNING id
                """, logger: logger)
            if let row = rows.first { return try row.decode(Int64.self) }
            return nil
        }
    }

    public func deadLetters(limit: Int) async throws(StoreError) -> [DeadLetter] {
        try await deadLetters(after: 0, limit: limit)
    }

    /// Deletes, a chunk per transaction (a long one would hold the sequencer's
    /// horizon), events received before the cutoff whose seq is at or below
    /// both `seq` and the chain's saved checkpoint (read inside each
    /// statement, so a node with a stale view cannot prune past it), except
    /// those with a dead letter. Unsequenced events are never pruned. Then
    /// forgets expired dedupe keys, also in chunks.
    public func prune(receivedBefore cutoffMicros: Int64, upTo seq: Int64) async throws(StoreError) -> Int {
        let chunk: Int64 = 5000
        var deleted = 0
        var from: Int64 = try await run("prune events") { client, logger in
            let rows = try await client.rows("SELECT coalesce(min(seq), 1) - 1 FROM hookpipe.event_seq", logger: logger)
            if let row = rows.first { return try row.decode(Int64.self) }
            return 0
        }
        while from < seq {
            let (start, upTo) = (from, seq)
            let (count, next): (Int, Int64) = try await run("prune events") { client, logger in
                let rows = try await client.rows("""
                    WITH bound AS (
                      SELECT least(\(start) + \(chunk), \(upTo),
                                   (SELECT last_seq FROM hookpipe.chain_lease WHERE name = 'chain'),
                                   coalesce((SELECT seq FROM hookpipe.checkpoints WHERE consumer = 'chain'), \(upTo))) AS top
                    ), gone AS (
                      DELETE FROM hookpipe.event_seq s USING hookpipe.events e, bound
                      WHERE e.id = s.event_id AND s.seq > \(start) AND s.seq <= bound.top
                        AND e.received_at < \(cutoffMicros)
                        AND NOT EXISTS (SELECT 1 FROM hookpipe.dead_letters d WHERE d.seq = s.seq)
                      RETURNING s.event_id
                    ), removed AS (
                      DELETE FROM hookpipe.events WHERE id IN (SELECT event_id FROM gone) RETURNING 1
                    )
                    SELECT (SELECT count(*) FROM removed), (SELECT top FROM bound)
                    """, logger: logger)
                if let row = rows.first {
                    let (count, top) = try row.decode((Int64, Int64).self)
                    return (Int(count), top)
                }
                return (0, upTo)
            }
            deleted += count
            // Stop at the bound (the checkpoint, or `seq`) or when a chunk reached nothing new.
            if next <= from || next >= seq { break }
            from = next
        }
        while true {
            let gone: Int64 = try await run("forget expired dedupe keys") { client, logger in
                let rows = try await client.rows("""
                    WITH gone AS (DELETE FROM hookpipe.dedupe WHERE ctid IN
                        (SELECT ctid FROM hookpipe.dedupe WHERE expires_at <= now() LIMIT \(chunk)) RETURNING 1)
                    SELECT count(*) FROM gone
                    """, logger: logger)
                if let row = rows.first { return try row.decode(Int64.self) }
                return 0
            }
            if gone < chunk { break }
        }
        return deleted
    }

    /// The schema's invariants, checked with plain queries: every numbered
    /// event exists, no seq lies beyond the sequencer's last one, and the
    /// schema is at the version this build knows.
    public func checkIntegrity() async throws(StoreError) -> [String] {
        try await run("check the store") { client, logger in
            var problems: [String] = []
            let rows = try await client.rows("""
                SELECT (SELECT count(*) FROM hookpipe.event_seq s WHERE NOT EXISTS (SELECT 1 FROM hookpipe.events e WHERE e.id = s.event_id)),
                       (SELECT count(*) FROM hookpipe.event_seq s WHERE s.seq > (SELECT last_seq FROM hookpipe.chain_lease WHERE name = 'chain')),
                       (SELECT coalesce(max(version), 0) FROM hookpipe.schema_migrations)
                """, logger: logger)
            for row in rows {
                let (orphans, beyond, version) = try row.decode((Int64, Int64, Int32).self)
                if orphans > 0 { problems.append("\(orphans) sequence number(s) point at no event") }
                if beyond > 0 { problems.append("\(beyond) sequence number(s) lie beyond the sequencer's last_seq") }
                if Int(version) != PostgresSchema.latest {
                    problems.append("schema version \(version), this build expects \(PostgresSchema.latest)")
                }
            }
            return problems
        }
    }

    /// The lease row, the nodes whose heartbeat is younger than three lease
    /// times to live, and how many committed events await a number.
    public func chainCluster() async throws(StoreError) -> ChainCluster? {
        let recent = max(settings.leaseTTL.microseconds * 3, 5_000_000)
        return try await run("read the cluster") { client, logger in
            var cluster = ChainCluster(holder: nil, epoch: 0, heldSinceMicros: nil, nodes: [], unsequenced: 0)
            let lease = try await client.rows("""
                SELECT CASE WHEN l.expires_at > now() THEN l.holder END, l.epoch,
                       (extract(epoch FROM l.acquired_at) * 1000000)::bigint,
                       (SELECT count(*) FROM hookpipe.events e WHERE (e.tx, e.id) > (l.seq_tx, l.seq_id))
                FROM hookpipe.chain_lease l WHERE l.name = 'chain'
                """, logger: logger)
            for row in lease {
                let (holder, epoch, since, waiting) = try row.decode((String?, Int64, Int64?, Int64).self)
                cluster.holder = holder
                cluster.epoch = epoch
                cluster.heldSinceMicros = holder == nil ? nil : since
                cluster.unsequenced = waiting
            }
            let nodes = try await client.rows("""
                SELECT node_id, (extract(epoch FROM started_at) * 1000000)::bigint, (extract(epoch FROM seen_at) * 1000000)::bigint
                FROM hookpipe.nodes WHERE seen_at > now() - \(recent) * interval '1 microsecond' ORDER BY started_at
                """, logger: logger)
            for row in nodes {
                let (id, started, seen) = try row.decode((String, Int64, Int64).self)
                cluster.nodes.append(ChainCluster.Node(id: id, startedAtMicros: started, seenAtMicros: seen))
            }
            return cluster
        }
    }
}
