import HookpipeJSON
import HookpipeStore
import HookpipeSync
import Logging

/// The live tail's fan-out: while at least one browser watches, one task
/// reads the events numbered since the last look (every 250 ms, a page of at
/// most 256) and hands each subscriber the same Server-Sent Events chunk.
/// Nobody watching, nothing read. A subscriber that cannot keep up is told
/// (`event: lagged`) and dropped; it never slows the others or the store.
public final class TailHub: Sendable {
    /// One piece of the `text/event-stream` body.
    public struct Chunk: Sendable {
        public var bytes: [UInt8]
        /// The last chunk for this subscriber (after it, close the connection).
        public var isLast: Bool
    }

    static let maximumSubscribers = 8
    static let pollInterval: Duration = .milliseconds(250)
    static let pageSize = 256
    /// A comment line this often keeps proxies and the browser from timing out.
    static let heartbeat: Duration = .seconds(15)

    private struct Subscriber {
        var after: Int64
        var send: @Sendable (Chunk) -> Bool
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 1
        var polling = false
    }

    private let store: any EventStore
    private let logger: Logger
    private let state = Locked(State())

    init(store: any EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Subscribes `send` to events numbered after `after`; `nil` when too many watch already.
    func subscribe(after: Int64, send: @escaping @Sendable (Chunk) -> Bool) -> UInt64? {
        let (id, start) = state.withLock { state -> (UInt64?, Bool) in
            guard state.subscribers.count < Self.maximumSubscribers else { return (nil, false) }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(after: after, send: send)
            defer { state.polling = true }
            return (id, !state.polling)
        }
        if start { Task { await self.poll() } }
        return id
    }

    func unsubscribe(_ id: UInt64) {
        state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
    }

    private func poll() async {
        var lastBeat = ContinuousClock.now
        while true {
            let subscribers = state.withLock { state -> [UInt64: Subscriber] in
                if state.subscribers.isEmpty { state.polling = false }
                return state.subscribers
            }
            guard !subscribers.isEmpty else { return }
            // Subscribers that joined at different moments start from the oldest of their positions.
            let after = subscribers.values.map(\.after).min() ?? 0
            let events: [StoredEvent]
            do {
                let store = self.store
                events = try await withDeadline(.seconds(5)) { () async throws(StoreError) -> [StoredEvent] in
                    try await store.events(after: after, limit: Self.pageSize)
                }
            } catch {
                logger.debug("console tail: store not read", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let beat = ContinuousClock.now - lastBeat >= Self.heartbeat
            if beat { lastBeat = .now }
            var dropped: [UInt64] = []
            for (id, subscriber) in subscribers {
                var bytes: [UInt8] = []
                for event in events where event.seq > subscriber.after { bytes += Self.chunk(event) }
                if bytes.isEmpty && !beat { continue }
                if bytes.isEmpty { bytes = Array(": still here\n\n".utf8) }
                if !subscriber.send(Chunk(bytes: bytes, isLast: false)) {
                    _ = subscriber.send(Chunk(bytes: Array("event: lagged\ndata: {}\n\n".utf8), isLast: true))
                    dropped.append(id)
                }
            }
            let newest = events.last?.seq
            state.withLock { state in
                for id in dropped { state.subscribers.removeValue(forKey: id) }
                if let newest {
                    // Only those this round served: one that joined meanwhile starts where it asked.
                    for id in subscribers.keys where (state.subscribers[id]?.after ?? newest) < newest {
                        state.subscribers[id]!.after = newest
                    }
                }
            }
            if events.count < Self.pageSize { try? await Task.sleep(for: Self.pollInterval) }
        }
    }

    /// `event: stored` with a summary of the event (no payload, no headers).
    static func chunk(_ event: StoredEvent) -> [UInt8] {
        var object = JSONObjectWriter()
        object.set("seq", event.seq)
        object.set("source", event.source)
        object.set("id", event.dedupeKey)
        object.set("received_at", RFC3339.format(micros: event.receivedAtMicros))
        object.set("bytes", Int64(event.payload.count))
        return Array("event: stored\nid: \(event.seq)\ndata: ".utf8) + object.serialized() + Array("\n\n".utf8)
    }
}
