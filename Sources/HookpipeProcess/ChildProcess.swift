import Glibc
import HookpipeSync
import Synchronization

/// A running child process, leader of its own process group, connected to
/// the daemon by three pipes.
///
/// Create one with ``spawn(_:)``. The daemon writes to ``stdinFD`` and reads
/// ``stdoutFD`` and ``stderrFD`` with blocking calls (``SystemCall``) on
/// dedicated threads; it must drain ``stderrFD`` too, or the child blocks
/// once a pipe's worth (64 KiB) of diagnostics piles up.
///
/// This type is the only code that reaps its child: it waits for that one
/// pid, never with `waitpid(-1)`, and the daemon must not use
/// `Foundation.Process` or swift-subprocess, which would steal exits.
///
/// Lifetime: the three descriptors stay open until the object is
/// deinitialised (stdin until ``closeStdin()``), so threads using them should
/// hold a reference. Dropping the object does not stop the child; if it has
/// not been reaped yet, a small detached thread reaps it whenever it exits.
public final class ChildProcess: Sendable {
    /// The child's process id, which is also its process group id.
    public let pid: Int32
    /// The read end of the child's stdout pipe (close-on-exec).
    public let stdoutFD: Int32
    /// The read end of the child's stderr pipe (close-on-exec).
    public let stderrFD: Int32

    /// The write end of the child's stdin pipe (close-on-exec), or -1 after
    /// ``closeStdin()``, so that late writes fail with `EBADF` instead of
    /// reaching a descriptor number the daemon has reused meanwhile.
    public var stdinFD: Int32 { stdinDescriptor.load(ordering: .acquiring) }

    private let stdinDescriptor: Atomic<Int32>
    /// A duplicate of the child's stdin read end, never read by the daemon;
    /// see ``unreadInputBytes()``. -1 once closed.
    private let inputProbe: Atomic<Int32>
    /// Reaping happens under this lock, so it happens exactly once.
    let reaping = Locked(ReapState())

    struct ReapState {
        /// The exit status once the child has been reaped.
        var status: ExitStatus?
        /// Set by ``terminate(grace:)``: whoever reaps first kills the rest
        /// of the group before reaping.
        var terminating = false
    }

    init(pid: Int32, stdin: Int32, stdout: Int32, stderr: Int32, inputProbe: Int32 = -1) {
        self.pid = pid
        self.stdinDescriptor = Atomic(stdin)
        self.inputProbe = Atomic(inputProbe)
        self.stdoutFD = stdout
        self.stderrFD = stderr
    }

    /// Closes the daemon's end of the child's stdin, so the child reads end
    /// of file. Idempotent and thread-safe.
    ///
    /// Do not call it while another thread is blocked writing to ``stdinFD``:
    /// that write could then land on whatever the number is reused for.
    /// Close from the writing thread, or after it has stopped.
    public func closeStdin() {
        let fd = stdinDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 {
            // Closing a pipe end cannot meaningfully fail; nothing to report.
            try? SystemCall.close(fd)
        }
    }

    /// Bytes written to the child's stdin that it never read, while the input
    /// probe is open: after the child exited, 0 means it consumed all its
    /// input. `nil` when the probe is closed or the query fails.
    ///
    /// While the probe is open the pipe still has a reader, so writes to a
    /// dead child block instead of failing: close the probe
    /// (``closeInputProbe()``) as soon as the child has exited.
    public func unreadInputBytes() -> Int? {
        let fd = inputProbe.load(ordering: .acquiring)
        guard fd >= 0 else { return nil }
        var count: Int32 = 0
        guard ioctl(fd, UInt(FIONREAD), &count) == 0 else { return nil }
        return Int(count)
    }

    /// Closes the input probe; writes to the child's stdin then fail with
    /// `EPIPE` once the child is gone. Idempotent and thread-safe.
    public func closeInputProbe() {
        let fd = inputProbe.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { try? SystemCall.close(fd) }
    }

    /// Sends `signal` to the child's whole process group (`kill(-pid, signal)`),
    /// reaching anything it started that stayed in the group.
    ///
    /// Safe at any time: until the child is reaped its zombie reserves the
    /// group id, so the signal cannot reach an unrelated group; once it is
    /// reaped (``waitForExit()``, ``terminate(grace:)``) the id may be
    /// recycled, so nothing is sent and the result is `false`.
    ///
    /// - Returns: whether the signal was sent; `false` when the group no
    ///   longer exists or the child has been reaped.
    /// - Throws: ``SystemCallError`` naming `kill`, e.g. `EPERM` when the
    ///   group contains a process the daemon may not signal.
    @discardableResult
    public func signalGroup(_ signal: Int32) throws(SystemCallError) -> Bool {
        try reaping.withLock { (state) throws(SystemCallError) -> Bool in
            guard state.status == nil else { return false }
            return try SystemCall.kill(-pid, signal)
        }
    }

    deinit {
        closeStdin()
        closeInputProbe()
        try? SystemCall.close(stdoutFD)
        try? SystemCall.close(stderrFD)
        if reaping.withLock({ $0.status == nil }) {
            if hasExited() {
                _ = reap()
            } else {
                BackgroundReaper.reap(pid)
            }
        }
    }
}
