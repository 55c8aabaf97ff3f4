import Foundation

/// Hands appends to one writer thread, which commits them in batches.
///
/// Requests that arrive while a commit (and its fsync) is running wait in
/// `pending`; the next commit takes all of them at once. One fsync thus
/// acknowledges many events, and durability does not cap throughput at the
/// disk's sync rate. The thread is a plain `Thread`, not a task, because
/// SQLite blocks and must not hold a cooperative-pool thread.
final class GroupCommitQueue: @unchecked Sendable {
    typealias Completion = @Sendable (Result<AppendOutcome, StoreError>) -> Void
    typealias Commit = ([IncomingEvent]) -> Result<[AppendOutcome], StoreError>

    private let condition = NSCondition()
    private var pending: [(IncomingEvent, Completion)] = []
    private var closed = false
    private var finished = false
    private let maxBatch: Int
    private let commit: Commit

    /// - Parameters:
    ///   - maxBatch: most events in one transaction.
    ///   - commit: runs on the writer thread; stores a batch in one transaction
    ///     and returns an outcome per event, in order, or one error for all.
    init(maxBatch: Int, commit: @escaping Commit) {
        self.maxBatch = max(1, maxBatch)
        self.commit = commit
        let thread = Thread { [self] in run() }
        thread.name = "hookpipe-store-writer"
        thread.start()
    }

    func enqueue(_ event: IncomingEvent, completion: @escaping Completion) {
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
    func close() {
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

            switch commit(batch.map(\.0)) {
            case .success(let outcomes):
                for ((_, completion), outcome) in zip(batch, outcomes) {
                    completion(.success(outcome))
                }
            case .failure(let error):
                for (_, completion) in batch {
                    completion(.failure(error))
                }
            }
        }
    }
}
