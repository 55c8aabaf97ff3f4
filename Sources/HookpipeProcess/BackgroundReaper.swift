import Glibc
import HookpipeSync

/// Reaps a child that nobody waits for any more, so it does not stay a
/// zombie: a detached thread with a small stack blocks in `waitpid(pid)`.
///
/// Used when a ``ChildProcess`` is dropped while its child still runs. The
/// thread only ever waits for that one pid, and is named `reaper-<pid>`.
enum BackgroundReaper {
    static func reap(_ pid: Int32) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 64 * 1024)
        var thread = pthread_t()
        let argument = UnsafeMutableRawPointer(bitPattern: Int(pid))
        // Without a thread (EAGAIN) the child stays a zombie after it exits:
        // nobody else is allowed to reap it. Nothing better to do.
        _ = pthread_create(
            &thread, &attributes,
            { argument in
                let pid = Int32(truncatingIfNeeded: Int(bitPattern: argument))
                nameCurrentThread("reaper-\(pid)")
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                return nil
            }, argument)
    }
}
