public import HookpipeRecovery
public import HookpipeStore
import HookpipeJSON

/// `hookpipe tail`: stored events as NDJSON, each line the envelope exactly
/// as the chain's first stage receives it, optionally following new ones.
public struct Tailer: Sendable {
    public let store: any EventStore
    public let filter: EventFilter
    /// Only the last this many of the selection; `nil` for all of it.
    public let lines: Int?
    /// How often to look for new events when following.
    public var pollInterval: Duration
    /// Events read at a time.
    public var pageSize: Int

    public init(store: any EventStore, filter: EventFilter, lines: Int?, pollInterval: Duration = .milliseconds(200), pageSize: Int = 512) {
        self.store = store
        self.filter = filter
        self.lines = lines
        self.pollInterval = pollInterval
        self.pageSize = max(1, pageSize)
    }

    /// Writes the selection through `write` (a page of lines per call, each
    /// line ending in `\n`). With `follow`, then polls for events stored
    /// later (by any process) and writes those that match, until the task is
    /// cancelled or `stop` says so; without it, returns. Returns the number
    /// of events written. Cancelling ends it quietly, even mid-read.
    @discardableResult
    public func run(follow: Bool, stop: @Sendable () -> Bool = { false },
                    write: ([UInt8]) async throws(OperationError) -> Void) async throws(OperationError) -> Int {
        var written = 0
        do throws(OperationError) {
            try await run(follow: follow, stop: stop, written: &written, write: write)
        } catch {
            if Task.isCancelled { return written }
            throw error
        }
        return written
    }

    private func run(follow: Bool, stop: @Sendable () -> Bool, written: inout Int,
                     write: ([UInt8]) async throws(OperationError) -> Void) async throws(OperationError) {
        // Everything up to `newest` is final: sequence numbers are assigned in commit order.
        var newest = try await lastSequence()
        if let lines {
            var bounded = filter
            bounded.toSeq = min(filter.toSeq ?? newest, newest)
            let events = lines > 0 ? try await read(bounded, limit: lines, newestFirst: true) : []
            if !events.isEmpty { try await write(Self.render(events)) }
            written += events.count
        } else {
            try await copy(filter, through: newest, written: &written, write: write)
        }
        guard follow else { return }
        while !Task.isCancelled && !stop() {
            let latest = try await lastSequence()
            if latest > newest {
                try await copy(filter.after(newest), through: latest, written: &written, write: write)
                newest = latest
            } else {
                do { try await Task.sleep(for: pollInterval) } catch { return }
            }
        }
    }

    /// Writes every event of `filter` up to `last`, a page at a time, counting them in `written` as they go out.
    private func copy(_ filter: EventFilter, through last: Int64, written: inout Int,
                      write: ([UInt8]) async throws(OperationError) -> Void) async throws(OperationError) {
        var next = filter
        next.toSeq = min(filter.toSeq ?? last, last)
        while true {
            let page = try await read(next, limit: pageSize, newestFirst: false)
            guard let tail = page.last else { return }
            try await write(Self.render(page))
            written += page.count
            next = next.after(tail.seq)
        }
    }

    /// The envelope lines of `events`, each followed by `\n`.
    public static func render(_ events: [StoredEvent]) -> [UInt8] {
        var bytes: [UInt8] = []
        for event in events {
            bytes.append(contentsOf: Envelope.line(seq: event.seq, metadata: event.metadata, payload: event.payload))
            bytes.append(0x0A)
        }
        return bytes
    }

    private func lastSequence() async throws(OperationError) -> Int64 {
        do { return try await store.lastSequence() } catch { throw .store(error, "read the store") }
    }

    private func read(_ filter: EventFilter, limit: Int, newestFirst: Bool) async throws(OperationError) -> [StoredEvent] {
        do { return try await store.events(matching: filter, limit: limit, newestFirst: newestFirst) } catch { throw .store(error, "read events") }
    }
}
