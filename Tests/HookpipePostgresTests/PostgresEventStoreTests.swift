import Foundation
import HookpipeStore
import Logging
import NIOPosix
import PostgresNIO
import PostgresScratch
import Testing
@testable import HookpipePostgres

/// The store against a real PostgreSQL (a scratch cluster; each test has a database of its own).
@Suite("PostgreSQL event store")
struct PostgresEventStoreTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func open(_ url: String, role: PostgresEventStore.Role = .daemon, ttl: Duration = .seconds(10),
                     node: String = PostgresStoreSettings.makeNodeID(), operationTimeout: Duration = .seconds(20)) async throws -> PostgresEventStore {
        // Generous: a loaded CI machine runs the whole suite in parallel, and
        // creating a database and migrating it with fsync on can take seconds.
        let settings = PostgresStoreSettings(url: try PostgresConnectionURL(url), poolSize: 4, connectTimeout: .seconds(10),
                                             operationTimeout: operationTimeout, leaseTTL: ttl, nodeID: node)
        return try await PostgresEventStore.open(settings, role: role, logger: logger)
    }

    static func event(_ key: String, source: String = "s", window: Duration = .seconds(3600)) -> IncomingEvent {
        IncomingEvent(source: source, dedupeKey: key, dedupeWindow: window, receivedAtMicros: 1_000_000,
                      metadata: Array(#"{"id":"\#(key)"}"#.utf8), payload: Array(#"{"k":"\#(key)"}"#.utf8))
    }

    /// Waits (bounded) until `count` events are sequenced; returns them.
    static func sequenced(_ store: PostgresEventStore, count: Int, within limit: Duration = .seconds(15)) async throws -> [StoredEvent] {
        let end = ContinuousClock.now + limit
        while true {
            let events = try await store.events(after: 0, limit: count + 10)
            if events.count >= count || ContinuousClock.now > end { return events }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A session of its own, outside any store, to hold a transaction open.
    static func rawConnection(_ url: String) async throws -> PostgresConnection {
        let parsed = try PostgresConnectionURL(url)
        guard case .tcp(let host, let port) = parsed.endpoint else { throw PostgresScratch.Failure(description: "tcp expected") }
        let configuration = PostgresConnection.Configuration(host: host, port: port, username: parsed.user, password: parsed.password,
                                                             database: parsed.database, tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    /// A session of its own with a transaction left open after it inserted `key`.
    static func openTransaction(_ url: String, inserting key: String) async throws -> PostgresConnection {
        let slow = try await rawConnection(url)
        try await slow.query("BEGIN", logger: logger)
        try await slow.query("""
            SELECT * FROM hookpipe.append_batch(ARRAY['s'], ARRAY[\(key)], ARRAY[1::bigint], ARRAY[3600000000::bigint],
                                                ARRAY['{}'::bytea], ARRAY['{}'::bytea])
            """, logger: logger)
        return slow
    }

    @Test("append, duplicate, sequence, read back; the ack has no seq yet, a duplicate of a sequenced event has one")
    func appendDedupeSequence() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let store = try await Self.open(url)
        defer { Task { await store.close() } }
        #expect(try await store.append(Self.event("a")) == .stored(seq: nil))
        #expect(try await store.append(Self.event("b")) == .stored(seq: nil))
        let events = try await Self.sequenced(store, count: 2)
        #expect(events.map(\.seq) == [1, 2])
        #expect(events.map(\.dedupeKey) == ["a", "b"])
        #expect(events[0].payload == Array(#"{"k":"a"}"#.utf8))
        #expect(try await store.append(Self.event("a")) == .duplicate(seq: 1))
        #expect(try await store.append(Self.event("a", source: "other")) == .stored(seq: nil))
        #expect(try await store.lastSequence() >= 2)
        // Inside one batch: the first position stores, the repeat is a duplicate.
        let outcomes = await store.appendEach([Self.event("c"), Self.event("c")])
        #expect(try outcomes.map { try $0.get() } == [.stored(seq: nil), .duplicate(seq: nil)])
        #expect(try await Self.sequenced(store, count: 4).count == 4)
        await store.close()
    }

    @Test("late commit: A inserts first and commits last; both are delivered, A before B, nothing skipped")
    func lateCommit() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let store = try await Self.open(url)
        let slow = try await Self.openTransaction(url, inserting: "A")
        #expect(try await store.append(Self.event("B")) == .stored(seq: nil))
        // B is committed, but A's open transaction holds the horizon: B must wait.
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await store.events(after: 0, limit: 10).isEmpty)
        try await slow.query("COMMIT", logger: Self.logger)
        let events = try await Self.sequenced(store, count: 2)
        #expect(events.map(\.dedupeKey) == ["A", "B"])
        #expect(events.map(\.seq) == [1, 2])
        try await slow.close()
        await store.close()
    }

    @Test("a rolled-back transaction leaves no gap and stalls nothing")
    func rollback() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let store = try await Self.open(url)
        let slow = try await Self.openTransaction(url, inserting: "A")
        #expect(try await store.append(Self.event("B")) == .stored(seq: nil))
        try await slow.query("ROLLBACK", logger: Self.logger)
        let started = ContinuousClock.now
        let events = try await Self.sequenced(store, count: 1)
        #expect(events.map(\.dedupeKey) == ["B"])
        #expect(events.map(\.seq) == [1])
        #expect(ContinuousClock.now - started < .seconds(5), "no gap timer: the next sweep numbers B")
        // A's key was never stored: it can be stored now.
        #expect(try await store.append(Self.event("A")) == .stored(seq: nil))
        try await slow.close()
        await store.close()
    }

    @Test("the same key appended by two nodes at the same moment, 40 times: one row each time")
    func twoNodesOneRow() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let first = try await Self.open(url, role: .operatorCommand(readOnly: false))
        let second = try await Self.open(url, role: .operatorCommand(readOnly: false))
        for round in 0..<40 {
            let key = "race-\(round)"
            async let a = first.append(Self.event(key))
            async let b = second.append(Self.event(key))
            let outcomes = [try await a, try await b]
            let stored = outcomes.filter { if case .stored = $0 { true } else { false } }.count
            #expect(stored == 1, "round \(round): \(outcomes)")
        }
        let rows = try PostgresScratch.shared.psql("SELECT count(*), count(DISTINCT dedupe_key) FROM hookpipe.events",
                                                   database: PostgresScratch.databaseName(url))
        #expect(rows == "40|40")
        await first.close()
        await second.close()
    }

    @Test("after a takeover the old holder's fenced writes change nothing, and it learns it lost the lease")
    func fencedWrites() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let database = PostgresScratch.databaseName(url)
        let store = try await Self.open(url, ttl: .seconds(30), node: "node-a")
        let lease = try #require(store.chainLease)
        let epoch = try await lease.acquire()
        try await store.saveCheckpoint("chain", seq: 5)
        // Another node takes over (what an expiry and a standby's acquire do).
        try PostgresScratch.shared.psql("""
            UPDATE hookpipe.chain_lease SET holder = 'node-b', epoch = epoch + 1, expires_at = now() + interval '1 hour'
            """, database: database)
        // The old token is refused by the database itself.
        #expect(try await store.saveCheckpoint("chain", seq: 9, holder: "node-a", epoch: epoch) == false)
        let letter = DeadLetter(seq: 3, stage: "x", reason: "r", stderrTail: [], line: [], createdAtMicros: 0)
        #expect(try await store.addDeadLetter(letter, holder: "node-a", epoch: epoch) == nil)
        let sweep = try PostgresScratch.shared.psql("SELECT held FROM hookpipe.sequence_events('node-a', \(epoch), 100)", database: database)
        #expect(sweep == "f")
        #expect(try PostgresScratch.shared.psql("SELECT seq || '@' || epoch FROM hookpipe.checkpoints", database: database) == "5@\(epoch)")
        #expect(try PostgresScratch.shared.psql("SELECT count(*) FROM hookpipe.dead_letters", database: database) == "0")
        // Through the store's own API: refused, and the lease is gone on this node.
        await #expect(throws: StoreError.self) { try await store.saveCheckpoint("chain", seq: 9) }
        await lease.lost(epoch: epoch)
        #expect(store.chainLease?.state().heldEpoch != epoch)
        await store.close()
    }

    @Test("a holder that stops renewing loses the lease; a standby takes over with the next epoch within the TTL")
    func takeover() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let database = PostgresScratch.databaseName(url)
        let first = try await Self.open(url, ttl: .seconds(4), node: "node-1")
        _ = try await #require(first.chainLease).acquire()
        let second = try await Self.open(url, ttl: .seconds(4), node: "node-2")
        // While node-1 renews, node-2 stays a standby. (On a machine slow
        // enough to miss renewals node-1 may lose and retake the lease, so
        // the epoch is read from the row, not assumed.)
        try await Task.sleep(for: .seconds(2))
        #expect(second.chainLease?.state().heldEpoch == nil)
        let holder = try PostgresScratch.shared.psql("SELECT holder || '@' || epoch FROM hookpipe.chain_lease", database: database)
        #expect(holder.hasPrefix("node-1@"), "\(holder)")
        let epoch = try #require(Int64(holder.split(separator: "@").last ?? ""))
        let stopped = ContinuousClock.now
        await first.close()   // stops renewing without releasing
        let taken = try await #require(second.chainLease).acquire()
        #expect(taken == epoch + 1)
        #expect(ContinuousClock.now - stopped < .seconds(6), "taken over within the TTL plus an attempt")
        // The new holder numbers what arrives.
        #expect(try await second.append(Self.event("after")) == .stored(seq: nil))
        #expect(try await Self.sequenced(second, count: 1).map(\.dedupeKey) == ["after"])
        await second.close()
    }

    @Test("prune: settled events past retention go, dead-lettered and unsettled ones stay, no seq is reused")
    func prune() async throws {
        let url = try PostgresScratch.shared.makeDatabase()
        let store = try await Self.open(url)
        let lease = try #require(store.chainLease)
        _ = try await lease.acquire()
        _ = await store.appendEach((1...10).map { Self.event("p\($0)") })
        _ = try await Self.sequenced(store, count: 10)
        try await store.saveCheckpoint("chain", seq: 8)
        _ = try await store.addDeadLetter(DeadLetter(seq: 4, stage: "x", reason: "r", stderrTail: ["a", "b"], line: [1, 2],
                                                     createdAtMicros: 5))
        let deleted = try await store.prune(receivedBefore: 2_000_000, upTo: .max)
        #expect(deleted == 7)
        #expect(try await store.events(after: 0, limit: 100).map(\.seq) == [4, 9, 10])
        let letters = try await store.deadLetters(limit: 10)
        #expect(letters.map(\.stderrTail) == [["a", "b"]])
        #expect(try await store.integrityProblems().isEmpty)
        #expect(try await store.append(Self.event("p11")) == .stored(seq: nil))
        #expect(try await Self.sequenced(store, count: 4).last?.seq == 11)
        await store.close()
    }

    @Test("PostgreSQL down: appends fail within the operation timeout, never succeed; back up: the pool reconnects")
    func unreachableThenBack() async throws {
        let cluster = try PostgresScratch()
        let store = try await Self.open(cluster.url, operationTimeout: .seconds(3))
        #expect(try await store.append(Self.event("before")) == .stored(seq: nil))
        try cluster.stopNow()
        let started = ContinuousClock.now
        await #expect(throws: StoreError.self) { try await store.append(Self.event("during")) }
        #expect(ContinuousClock.now - started < .seconds(10))
        try cluster.startAgain()
        var outcome: AppendOutcome?
        for _ in 0..<40 where outcome == nil {
            outcome = try? await store.append(Self.event("after"))
            if outcome == nil { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(outcome == .stored(seq: nil))
        let keys = try await Self.sequenced(store, count: 2).map(\.dedupeKey)
        #expect(keys == ["before", "after"])
        await store.close()
        cluster.stop(removing: true)
    }
}

extension PostgresEventStore {
    /// ``checkIntegrity()`` for tests.
    func integrityProblems() async throws -> [String] { try await checkIntegrity() }
}
