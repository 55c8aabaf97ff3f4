import Glibc

/// Waiting for, stopping and reaping the child.
///
/// How waiting works: the child's exit is observed with
/// `waitid(P_PID, pid, WEXITED | WNOWAIT)`, which does not reap. Reaping
/// (`waitpid(pid)`) happens afterwards under a lock, exactly once, and the
/// status is cached. So several threads may wait at the same time (e.g. a
/// reader thread in ``waitForExit()`` and the supervisor in
/// ``terminate(grace:)``), and until the reap the zombie keeps the group id
/// reserved for ``signalGroup(_:)``. Unbounded waits block in the kernel;
/// bounded waits poll with `WNOHANG`, sleeping 1 ms, then doubling up to
/// 10 ms between polls, so a wait costs at most ~100 syscalls a second.
extension ChildProcess {
    /// Blocks until the child exits, reaps it and returns how it ended.
    ///
    /// Later calls (from any thread) return the same status at once.
    public func waitForExit() -> ExitStatus {
        if let status = reaping.withLock({ $0.status }) { return status }
        blockUntilExited()
        return reap()
    }

    /// Waits at most `timeout` for the child to exit; reaps it and returns
    /// how it ended, or returns `nil` if it is still running.
    ///
    /// `timeout` `.zero` only checks. Accurate to about 10 ms.
    public func waitForExit(timeout: Duration) -> ExitStatus? {
        if let status = reaping.withLock({ $0.status }) { return status }
        guard waitUntilExited(deadline: .now.advanced(by: max(timeout, .zero))) else { return nil }
        return reap()
    }

    /// Stops the child's whole process group and reaps the child.
    ///
    /// Sends `SIGTERM` to the group and waits up to `grace` for the child to
    /// exit. Then, whether it exited or not, sends `SIGKILL` to the group,
    /// which also ends anything the child left behind in it, waits for the
    /// child and reaps it. Returns at once with the cached status if the
    /// child was already reaped; signals nothing then.
    ///
    /// May run while another thread blocks in ``waitForExit()``: both get
    /// the same status, and whichever reaps first sends the group `SIGKILL`
    /// just before (while the unreaped child still reserves the group id),
    /// so leftovers die even when the other thread wins.
    ///
    /// The final wait is unbounded, but `SIGKILL` cannot be caught; it only
    /// takes long for a process stuck in uninterruptible I/O.
    public func terminate(grace: Duration) -> ExitStatus {
        let alreadyReaped: ExitStatus? = reaping.withLock { state in
            state.terminating = true
            return state.status
        }
        if let alreadyReaped { return alreadyReaped }
        signalGroupOrLeader(SIGTERM)
        _ = waitUntilExited(deadline: .now.advanced(by: max(grace, .zero)))
        signalGroupOrLeader(SIGKILL)
        blockUntilExited()
        return reap()
    }

    // MARK: - Internals

    /// Signals the group, and the child alone should the group be gone (the
    /// child moved itself to another group). Errors (only `EPERM` is
    /// plausible) leave nothing better to do than carry on.
    private func signalGroupOrLeader(_ signal: Int32) {
        reaping.withLock { state in
            guard state.status == nil else { return }
            if (try? SystemCall.kill(-pid, signal)) != true {
                _ = try? SystemCall.kill(pid, signal)
            }
        }
    }

    /// Whether the child has exited (or was reaped already), without reaping.
    func hasExited() -> Bool {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG) == -1 {
            if errno != EINTR { return true }  // ECHILD: reaped already; reap() handles it.
        }
        // With WNOHANG and nothing to report, Linux leaves si_pid zero.
        return info._sifields._sigchld.si_pid != 0
    }

    /// Blocks until the child has exited (or was reaped already), without reaping.
    func blockUntilExited() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 {
            if errno != EINTR { return }  // ECHILD: reaped already; reap() handles it.
        }
    }

    /// Polls until the child has exited or `deadline` has passed; returns
    /// whether it exited.
    func waitUntilExited(deadline: ContinuousClock.Instant) -> Bool {
        var pause = Duration.milliseconds(1)
        while true {
            if hasExited() { return true }
            let now = ContinuousClock.now
            if now >= deadline { return false }
            Self.sleep(for: min(pause, now.duration(to: deadline)))
            pause = min(pause * 2, .milliseconds(10))
        }
    }

    /// Reaps the child, which must have exited, once; later calls return the
    /// cached status. During ``terminate(grace:)``, first kills what is left
    /// of the group.
    func reap() -> ExitStatus {
        reaping.withLock { state in
            if let cached = state.status { return cached }
            if state.terminating {
                _ = try? SystemCall.kill(-pid, SIGKILL)
            }
            var waitStatus: Int32 = 0
            while waitpid(pid, &waitStatus, 0) == -1 {
                let error = errno
                if error == EINTR { continue }
                // Only another reaper can cause this: a waitpid(-1), Foundation.Process,
                // swift-subprocess, or SIGCHLD set to SIG_IGN. The status is lost.
                preconditionFailure(
                    "HookpipeProcess: pid \(pid) was reaped by someone else (waitpid: \(String(cString: strerror(error)))); "
                        + "only HookpipeProcess may reap its children"
                )
            }
            let status = ExitStatus(waitStatus: waitStatus)
            state.status = status
            return status
        }
    }

    static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }
}
