import Glibc

/// The runner's one mutex, with a condition variable per kind of waiter.
///
/// Every chain thread shares the state behind this lock, but each waits for
/// something different: the feeder for room, a stage's writer for lines, the
/// stopper for stages to finish. Signalling only the waiter a change concerns
/// avoids waking every thread at every hop (a measurable share of the
/// end-to-end latency with one shared condition).
final class ChainLock: @unchecked Sendable {
    enum Waiter {
        case feeder
        case stopper
        case writer(Int)
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let count: Int

    init(stageCount: Int) {
        count = stageCount + 2
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        conditions = .allocate(capacity: count)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        for index in 0..<count { pthread_cond_init(conditions + index, &attributes) }
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        for index in 0..<count { pthread_cond_destroy(conditions + index) }
        conditions.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits (lock held) until signalled or, with a timeout, until it passes.
    /// Returns `false` when the timeout passed (a spurious wake-up returns `true`).
    @discardableResult
    func wait(_ waiter: Waiter, timeout: Duration? = nil) -> Bool {
        let condition = conditions + slot(waiter)
        guard let timeout else {
            pthread_cond_wait(condition, mutex)
            return true
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = timeout.components
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds), tv_nsec: now.tv_nsec + Int(attoseconds / 1_000_000_000))
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
    }

    /// Wakes the threads waiting as `waiter`.
    func signal(_ waiter: Waiter) {
        pthread_cond_broadcast(conditions + slot(waiter))
    }

    /// Wakes every waiter (stage state changes, shutdown).
    func signalAll() {
        for index in 0..<count { pthread_cond_broadcast(conditions + index) }
    }

    private func slot(_ waiter: Waiter) -> Int {
        switch waiter {
        case .feeder: 0
        case .stopper: 1
        case .writer(let stage): 2 + stage
        }
    }
}
