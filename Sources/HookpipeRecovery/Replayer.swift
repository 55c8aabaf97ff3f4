public import HookpipeStore
import Foundation

/// Selects stored events and appends copies of them (``EventCopy``) for the
/// chain to process again: `hookpipe replay`.
///
/// The selection ends at the newest event stored when it starts, so the
/// copies it appends (or anything arriving meanwhile) are never selected
/// in turn. Events are read and copied a page at a time, each page handed
/// to the store's group commit (one transaction or a few: the writer thread
/// may start before the page is all queued), pages spaced by a
/// ``CommitPacer`` so that a running daemon's receiver, waiting for the
/// database, gets it between pages. Since a page can be partly stored, the
/// ``Summary`` accounts for every selected event.
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

    /// Calls `body` with the selected events a page at a time, in sequence
    /// order, and returns how many there were. Refuses an empty selection
    /// (``OperationError/Code/emptySelection``).
    @discardableResult
    public func forEachPage(_ filter: EventFilter,
                            _ body: ([StoredEvent]) async throws(OperationError) -> Void) async throws(OperationError) -> Int {
        let bounded = try await bounded(filter)
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

    /// Appends a copy of every selected event, in sequence order, and says
    /// exactly which were copied: a page is committed in several transactions,
    /// and when one of them fails the others stay stored. After the first
    /// failure nothing more is written; the rest of the selection is only read,
    /// so that the ``Summary`` names every event left without a copy.
    ///
    /// - Parameter now: when each page of copies is stored, microseconds since the epoch.
    /// - Throws: ``OperationError/Code/emptySelection``, or a read failure
    ///   before anything was selected; every later failure is in the summary.
    public func replay(_ filter: EventFilter, now: @Sendable () -> Int64 = WallClock.nowMicros) async throws(OperationError) -> Summary {
        let run = UUID().uuidString.lowercased()
        let bounded = try await bounded(filter)
        var summary = Summary(selection: bounded)
        var pacer = CommitPacer(pause: pause)
        var next = bounded
        while true {
            let page: [StoredEvent]
            do {
                page = try await store.events(matching: next, limit: pageSize, newestFirst: false)
            } catch {
                guard let last = summary.lastSelected else { throw .store(error, "read events") }
                summary.readFailure = ReadFailure(after: last, error: error)
                break
            }
            guard let last = page.last else { break }
            var results: [Result<AppendOutcome, StoreError>] = []
            if summary.failure == nil {
                await pacer.beforeCommit()
                let stamp = now()
                results = await store.appendEach(page.map { EventCopy.of($0, run: run, nowMicros: stamp) })
                pacer.committed()
            }
            for (index, event) in page.enumerated() {
                summary.record(original: event.seq, index < results.count ? results[index] : nil)
            }
            next = bounded.after(last.seq)
        }
        if summary.selected == 0 {
            throw OperationError(.emptySelection, "no stored event matches \(filter.summary); nothing to replay")
        }
        return summary
    }

    /// `filter` ending at the newest event stored now.
    private func bounded(_ filter: EventFilter) async throws(OperationError) -> EventFilter {
        var bounded = filter
        do {
            let newest = try await store.lastSequence()
            bounded.toSeq = min(filter.toSeq ?? newest, newest)
        } catch {
            throw .store(error, "read the store")
        }
        return bounded
    }
}
