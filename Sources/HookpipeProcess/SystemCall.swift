import Glibc

/// The one wrapper around the system calls hookpipe makes on pipes, files and
/// processes.
///
/// Every call is retried when a signal interrupts it (`EINTR`), and every
/// failure is thrown as a ``SystemCallError`` that names the call and what it
/// was applied to. All calls block; use them from dedicated threads, not from
/// the cooperative pool or an event loop.
public enum SystemCall {
    /// Writes all of `buffer` to `fd`, looping on short writes.
    ///
    /// - Throws: ``SystemCallError`` naming `write`; on a pipe whose reader has
    ///   gone it is `EPIPE` (``SystemCallError/isBrokenPipe``), provided the
    ///   process ignores `SIGPIPE` as the daemon does. Bytes written before
    ///   the failure are not reported.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemCallError) {
        guard var next = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let written = try retrying("write", "fd \(fd)") { Glibc.write(fd, next, remaining) }
            next += written
            remaining -= written
        }
    }

    /// Reads at most `buffer.count` bytes from `fd` into `buffer`.
    ///
    /// - Returns: the number of bytes read; 0 means end of file (for a pipe:
    ///   every writer closed its end) unless `buffer` is empty.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        guard let start = buffer.baseAddress else { return 0 }
        return try retrying("read", "fd \(fd)") { Glibc.read(fd, start, buffer.count) }
    }

    /// Closes `fd`.
    ///
    /// Unlike the other calls this one is never retried: on Linux the
    /// descriptor is released even when `close` reports `EINTR`, and closing
    /// it again could close a descriptor another thread just opened. `EINTR`
    /// therefore counts as success.
    public static func close(_ fd: Int32) throws(SystemCallError) {
        if Glibc.close(fd) == -1 {
            let error = errno
            if error == EINTR { return }
            throw SystemCallError(call: "close", detail: "fd \(fd)", errno: error)
        }
    }

    /// Sends `signal` to `pid` (a negative `pid` addresses the process group
    /// `-pid`; signal 0 only checks that the target exists).
    ///
    /// - Returns: `false` when no such process or group exists (`ESRCH`),
    ///   which is not an error: it typically exited already.
    /// - Throws: ``SystemCallError`` naming `kill` for anything else, e.g.
    ///   `EPERM` or an invalid signal.
    @discardableResult
    public static func kill(_ pid: Int32, _ signal: Int32) throws(SystemCallError) -> Bool {
        while Glibc.kill(pid, signal) == -1 {
            let error = errno
            if error == EINTR { continue }
            if error == ESRCH { return false }
            let target = pid < 0 ? "process group \(-pid)" : "pid \(pid)"
            throw SystemCallError(call: "kill", detail: "\(target) (signal \(signal))", errno: error)
        }
        return true
    }

    /// Creates a pipe whose two ends are both close-on-exec, so no child
    /// spawned meanwhile by another thread inherits them.
    ///
    /// Uses `pipe2(O_CLOEXEC)`; on a C library without it, falls back to
    /// `pipe` plus `fcntl`, which leaves a short window for such a leak.
    public static func pipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = GNUExtensions.pipe2 {
            _ = try retrying("pipe2", "") { pipe2(&fds, O_CLOEXEC) }
        } else {
            _ = try retrying("pipe", "") { Glibc.pipe(&fds) }
            for fd in fds {
                _ = try retrying("fcntl", "fd \(fd)") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
            }
        }
        return (fds[0], fds[1])
    }

    /// Flushes `fd`'s data and metadata to stable storage.
    public static func fsync(_ fd: Int32) throws(SystemCallError) {
        _ = try retrying("fsync", "fd \(fd)") { Glibc.fsync(fd) }
    }

    /// Atomically renames `source` to `destination`, replacing it if it exists.
    public static func rename(_ source: String, _ destination: String) throws(SystemCallError) {
        _ = try retrying("rename", "'\(source)' -> '\(destination)'") { Glibc.rename(source, destination) }
    }

    /// Runs `body` until it does not fail with `EINTR`; a result of -1 is a
    /// failure with `errno` set, anything else is returned.
    @inline(__always)
    static func retrying<Result: BinaryInteger>(
        _ call: String,
        _ detail: @autoclosure () -> String,
        _ body: () -> Result
    ) throws(SystemCallError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let error = errno
            if error != EINTR {
                throw SystemCallError(call: call, detail: detail(), errno: error)
            }
        }
    }
}
