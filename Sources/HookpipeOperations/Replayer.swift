public import HookpipeStore
import Foundation

/// Selects stored events and appends copies of them (``EventCopy``) for the
/// chain to process again: `hookpipe replay`.
///
/// The selection ends at the newest event stored when it starts, so the
/// copies it appends (or anything arriving meanwhile) are never selected
/// in turn. Events are read and copied a page at a time, each page one
/// durable commit, spaced by a ``CommitPacer`` so that a running daemon's
/// receiver, waiting for the database, gets it between pages.
public struct Replayer: Sendable {
    public let store: any EventStore
    /// Events read, and copies committed, at a time.
    public var pageSize: Int
    /// Least time between two commits.
    public var pause: Duration

    public init(store: any EventStore, pageSize: Int = 256, pause: Duration = .milliseconds(20)) {
        self.store = store
        self.pageSize = max(1, pageSize)
        self.pause = pause
    }

    /// What a replay appended.
    public struct Summary: Sendable, Equatable {
        /// Copies stored.
        public var count: Int
        /// Sequence numbers of the first and last copy.
        public var firstSeq: Int64?
        public var lastSeq: Int64?

        public init(count: Int = 0, firstSeq: Int64? = nil, lastSeq: Int64? = nil) {
            self.count = count
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
        }

        /// `replayed 3 events as seq 12–14`.
        public var description: String {
            guard let firstSeq, let lastSeq else { return "replayed nothing" }
            let noun = count == 1 ? "event" : "events"
            return firstSeq == lastSeq ? "replayed \(count) \(noun) as seq \(firstSeq)" : "replayed \(count) \(noun) as seq \(firstSeq)–\(lastSeq)"
        }
    }

    /// Calls `body` with the selected events a page at a time, in sequence
    /// order, and returns how many there were. Refuses an empty selection
    /// (``OperationError/Code/emptySelection``).
    @discardableResult
    public func forEachPage(_ filter: EventFilter,
                            _ body: ([StoredEvent]) async throws(OperationError) -> Void) async throws(OperationError) -> Int {
        var bounded = filter
        do {
            let newest = try await store.lastSequence()
            bounded.toSeq = min(filter.toSeq ?? newest, newest)
        } catch {
            throw .store(error, "read the store")
        }
        var count = 0
        var next = bounded
        while true {
            let page: [StoredEvent]
            do {
                page = try await store.events(matching: next, limit: pageSize, newestFirst: false)
            } catch {
                throw .store(error, "read events")
            }
            guard let last = page.last else { break }
            try await body(page)
            count += page.count
            next = bounded.after(last.seq)
        }
        if count == 0 {
            throw OperationError(.emptySelection, "no stored event matches \(filter.summary); nothing to replay")
        }
        return count
    }

    /// Appends a copy of every selected event, in sequence order.
    ///
    /// - Parameter now: when each page of copies is stored, microseconds since the epoch.
    public func replay(_ filter: EventFilter, now: @Sendable () -> Int64 = WallClock.nowMicros) async throws(OperationError) -> Summary {
        let run = UUID().uuidString.lowercased()
        var summary = Summary()
        var pacer = CommitPacer(pause: pause)
        try await forEachPage(filter) { page throws(OperationError) in
            await pacer.beforeCommit()
            let stamp = now()
            let copies = page.map { EventCopy.of($0, run: run, nowMicros: stamp) }
            let outcomes: [AppendOutcome]
            do {
                outcomes = try await store.append(contentsOf: copies)
            } catch {
                let done = summary.count == 0 ? "nothing was replayed" : "before that, " + summary.description
                throw OperationError(.store, "cannot store the copies: \(error); \(done)")
            }
            pacer.committed()
            for case .stored(let seq) in outcomes {
                summary.count += 1
                summary.firstSeq = summary.firstSeq ?? seq
                summary.lastSeq = seq
            }
        }
        return summary
    }
}
