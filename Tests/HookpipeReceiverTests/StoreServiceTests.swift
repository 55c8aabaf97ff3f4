import Foundation
import HookpipeDaemon
import HookpipeStore
import Logging
import Testing

@Suite("StoreService retention")
struct StoreServiceTests {
    func store() throws -> (SQLiteEventStore, String) {
        let directory = NSTemporaryDirectory() + "hookpipe-retention-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try SQLiteEventStore(path: directory + "/db.sqlite", logger: ReceiverHarness.logger), directory)
    }

    func add(_ store: SQLiteEventStore, count: Int, receivedAt: Date) async throws {
        for index in 0..<count {
            _ = try await store.append(IncomingEvent(source: "s", dedupeKey: UUID().uuidString + "\(index)", dedupeWindow: .seconds(60),
                                                     receivedAtMicros: Int64(receivedAt.timeIntervalSince1970 * 1_000_000),
                                                     metadata: Array("{}".utf8), payload: Array("{}".utf8)))
        }
    }

    @Test("with a chain, only events at or below its checkpoint and past retention are pruned")
    func boundedByCheckpoint() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()
        try await add(store, count: 4, receivedAt: now.addingTimeInterval(-40 * 86_400))
        try await add(store, count: 2, receivedAt: now)
        try await store.saveCheckpoint("chain", seq: 3)
        let service = StoreService(store: store, path: directory, health: StoreHealth(), retention: .seconds(30 * 86_400), consumer: "chain", logger: ReceiverHarness.logger)
        await service.prune(now: now)
        #expect(try await store.events(after: 0, limit: 10).map(\.seq) == [4, 5, 6])
        await store.close()
    }

    @Test("without a chain, age alone decides")
    func ageOnly() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()
        try await add(store, count: 3, receivedAt: now.addingTimeInterval(-2 * 86_400))
        try await add(store, count: 1, receivedAt: now)
        let service = StoreService(store: store, path: directory, health: StoreHealth(), retention: .seconds(86_400), consumer: nil, logger: ReceiverHarness.logger)
        await service.prune(now: now)
        #expect(try await store.events(after: 0, limit: 10).map(\.seq) == [4])
        await store.close()
    }
}
