import Foundation
import HookpipeStore
import Logging
import Testing

/// A real SQLite store in a fresh temporary directory.
struct TemporaryStore {
    let directory: String
    let store: SQLiteEventStore

    init() throws {
        directory = NSTemporaryDirectory() + "hookpipe-ops-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteEventStore(path: directory + "/hookpipe.sqlite", logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Closes the store and removes the directory.
    func remove() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stores an event as the receiver would, with `{"id":…,"source":…}` metadata.
    @discardableResult
    func add(_ id: String, source: String = "stripe", receivedAt: Int64 = 1_000, payload: String? = nil) async throws -> Int64 {
        let metadata = #"{"id":"\#(id)","source":"\#(source)","received_at":"x"}"#
        let event = IncomingEvent(source: source, dedupeKey: id, dedupeWindow: .seconds(3600), receivedAtMicros: receivedAt,
                                  metadata: Array(metadata.utf8), payload: Array((payload ?? #"{"id":"\#(id)"}"#).utf8))
        let seq = try await store.append(event).seq
        return try #require(seq)
    }
}
