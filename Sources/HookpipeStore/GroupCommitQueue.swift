import Foundation
import HookpipeSync

/// Hands appends to one writer thread, which commits them in batches.
///
/// Requests that arrive while a commit (and its fsync) is running wait in
/// `pending`; the next commit takes all of them at once. One fsync thus
/// acknowledges many events, and durability does not cap throughput at the
/// disk's sync rate. The thread is a plain `Thread`, not a task, because
/// SQLite blocks and must not hold a cooperative-pool thread.
package final class GroupCommitQueue: @unchecked Sendable {
    package typealias Completion = @Sendable (Result<AppendOutcome, StoreError>) -> Void
    package typealias Commit = ([IncomingEvent]) -> Result<[AppendOutcome], StoreError>
    package typealias Committed = ([IncomingEvent], [AppendOutcome]) -> Void

    private let condition = NSCondition()
    private var pending: [(IncomingEvent, Completion)] = []
    private var closed = false
    private var finished = false
    private let maxBatch: Int
    private let commit: Commit
    private let committed: Committed?

    /// - Parameters:
    ///   - maxBatch: most events in one transaction.
    ///   - commit: runs on the writer thread; stores a batch in one transaction
    ///     and returns an outcome per event, in order, or one error for all.
    ///   - committed: runs on the writer thread after a batch committed and
    ///     every completion of it ran, so that work which is not part of the
    ///     acknowledgement (telling the chain) never delays one.
    package init(maxBatch: Int, commit: @escaping Commit, committed: Committed? = nil) {
        self.maxBatch = max(1, maxBatch)
        self.commit = commit
        self.committed = committed
        startThread(named: "store-writer") { [self] in run() }
    }

    package func enqueue(_ event: IncomingEvent, completion: @escaping Completion) {
        condition.lock()
        if closed {
            condition.unlock()
            completion(.failure(StoreError(.closed, "the store is closed")))
            return
        }
        pending.append((event, completion))
        condition.signal()
        condition.unlock()
    }

    /// Refuses new appends, lets the writer finish what is queued, and waits for it.
    package func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished {
            condition.wait()
        }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && !closed {
                condition.wait()
            }
            if pending.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            condition.unlock()

            let events = batch.map(\.0)
            switch commit(events) {
            case .success(let outcomes):
                for ((_, completion), outcome) in zip(batch, outcomes) {
                    completion(.success(outcome))
                }
                committed?(events, outcomes)
            case .failure(let error):
                for (_, completion) in batch {
                    completion(.failure(error))
                }
            }
        }
    }
}
