import Foundation
import HookpipeDaemon
import HookpipeStore
import Testing

@Suite("StoreHealth: the start-up integrity check")
struct StoreHealthTests {
    func filledStore(_ directory: String, count: Int) async throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/db.sqlite"
        let store = try SQLiteEventStore(path: path, logger: ReceiverHarness.logger)
        let padding = String(repeating: "x", count: 900)
        for index in 0..<count {
            _ = try await store.append(IncomingEvent(source: "s", dedupeKey: "evt_\(index)", dedupeWindow: .seconds(3600),
                                                     receivedAtMicros: 1, metadata: Array("{}".utf8),
                                                     payload: Array(#"{"n":\#(index),"pad":"\#(padding)"}"#.utf8)))
        }
        await store.close()  // folds the WAL into the database file
        return path
    }

    @Test("a sound store is reported ok")
    func sound() async throws {
        let directory = NSTemporaryDirectory() + "hookpipe-health-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try await filledStore(directory, count: 50)
        let store = try SQLiteEventStore(path: path, logger: ReceiverHarness.logger)
        let health = StoreHealth()
        #expect(health.current == .pending)
        await health.check(store, path: path, logger: ReceiverHarness.logger)
        #expect(health.current == .sound)
        #expect(health.current.summary == "ok")
        await store.close()
    }

    @Test("garbled pages in the middle of the file are found and named, and the other events stay readable")
    func damaged() async throws {
        let directory = NSTemporaryDirectory() + "hookpipe-health-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try await filledStore(directory, count: 400)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        // Two pages past the schema, in the events table: noise, not zeros.
        try handle.seek(toOffset: UInt64(size / 2 / 4096 * 4096))
        handle.write(Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
        try handle.close()
        let store = try SQLiteEventStore(path: path, logger: ReceiverHarness.logger)
        let health = StoreHealth()
        await health.check(store, path: path, logger: ReceiverHarness.logger)
        guard case .damaged(let problems) = health.current else {
            Issue.record("damage not detected: \(health.current)")
            return
        }
        #expect(!problems.isEmpty)
        #expect(health.current.summary.hasPrefix("damaged: "))
        // The first events sit on pages before the damage.
        let first = try await store.events(after: 0, limit: 10)
        #expect(first.map(\.seq) == Array(1...10))
        await store.close()
    }
}
