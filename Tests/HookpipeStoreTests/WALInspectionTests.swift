import Foundation
import Logging
import Testing

@testable import HookpipeStore

/// Reads real WAL files written by SQLite, then damaged the way crashes and disks do.
@Suite("WALInspection")
struct WALInspectionTests {
    /// A WAL holding `count` one-event commits, copied while the store is open.
    func walBytes(count: Int) async throws -> [UInt8] {
        let directory = NSTemporaryDirectory() + "hookpipe-wal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteEventStore(path: directory + "/db.sqlite", logger: Logger(label: "test"))
        for index in 0..<count {
            _ = try await store.append(IncomingEvent(source: "s", dedupeKey: "k\(index)", dedupeWindow: .seconds(60), receivedAtMicros: 1,
                                                     metadata: Array("{}".utf8), payload: Array(#"{"n":\#(index)}"#.utf8)))
        }
        let bytes = try #require(FileManager.default.contents(atPath: directory + "/db.sqlite-wal"))
        await store.close()
        return Array(bytes)
    }

    @Test("an intact WAL: every frame committed, nothing damaged")
    func intact() async throws {
        let report = try #require(WALInspection.inspect(try await walBytes(count: 10)))
        #expect(report.committedFrames > 0)
        #expect(report.uncommittedFrames == 0)
        #expect(report.damagedFrames == 0)
        #expect(report.damagedAt == nil)
    }

    @Test("a WAL cut in the middle of its last frame: one damaged frame, the commits before it intact")
    func torn() async throws {
        let bytes = try await walBytes(count: 10)
        let intact = try #require(WALInspection.inspect(bytes))
        let pageSize = Int(bytes[8]) << 24 | Int(bytes[9]) << 16 | Int(bytes[10]) << 8 | Int(bytes[11])
        let frames = (bytes.count - 32) / (24 + pageSize)
        let cut = 32 + (frames - 1) * (24 + pageSize) + (24 + pageSize) / 2
        let report = try #require(WALInspection.inspect(Array(bytes[0..<cut])))
        #expect(report.damagedFrames == 1)
        #expect(report.damagedAt == 32 + (frames - 1) * (24 + pageSize))
        #expect(report.committedFrames < intact.committedFrames)
        #expect(report.committedFrames + report.uncommittedFrames == frames - 1)
    }

    @Test("noise inside a frame: it and every later frame are damaged")
    func garbled() async throws {
        var bytes = try await walBytes(count: 10)
        let pageSize = Int(bytes[8]) << 24 | Int(bytes[9]) << 16 | Int(bytes[10]) << 8 | Int(bytes[11])
        let frames = (bytes.count - 32) / (24 + pageSize)
        let target = 32 + (frames - 3) * (24 + pageSize)
        for index in (target + 100)..<(target + 164) { bytes[index] ^= 0x5A }
        let report = try #require(WALInspection.inspect(bytes))
        #expect(report.damagedAt == target)
        #expect(report.damagedFrames == 3)
    }

    @Test("not a WAL, or an empty one: nothing to report")
    func notAWAL() {
        #expect(WALInspection.inspect(Array(repeating: 0, count: 100)) == nil)
        #expect(WALInspection.inspect([]) == nil)
    }
}

/// Durability setting on the connection that commits: GRDB's WAL setup
/// lowers it to NORMAL (no sync on commit) unless the store raises it again.
@Suite("SQLiteEventStore durability")
struct SQLiteDurabilityTests {
    @Test("the writer connection runs with synchronous = FULL, also after reopening")
    func synchronousFull() async throws {
        let directory = NSTemporaryDirectory() + "hookpipe-sync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for _ in 0..<2 {
            let store = try SQLiteEventStore(path: directory + "/db.sqlite", logger: Logger(label: "test"))
            #expect(try await store.synchronousLevel() == 2)
            await store.close()
        }
    }
}
