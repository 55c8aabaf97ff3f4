import Glibc

/// A value guarded by a `pthread_mutex_t`, with the shape of the standard
/// library's `Synchronization.Mutex`.
///
/// Why not `Mutex` itself: on Linux it is built on futexes inside the
/// prebuilt standard library, which ThreadSanitizer cannot see, so every
/// value it guards shows up as a data race under `scripts/sanitize.sh tsan`
/// (two threads incrementing under `Mutex.withLock` are reported; under
/// this lock they are not). TSan intercepts pthread mutexes, so with this
/// type a TSan report means a real race again. The cost is the same
/// uncontended (one atomic exchange each way in glibc).
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock. `body` must not
    /// call `withLock` on the same instance (the lock is not recursive).
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
