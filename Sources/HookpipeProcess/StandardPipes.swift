import Glibc

/// The three pipes of a child being spawned: the daemon's ends and the
/// child's ends, all close-on-exec.
///
/// The child's ends reach the child as 0, 1 and 2 through `dup2` file
/// actions (which clear close-on-exec on the copies); the originals are
/// closed in the daemon once the child runs. Nothing else is inherited.
struct StandardPipes {
    var childStdin: Int32 = -1
    var parentStdin: Int32 = -1
    var parentStdout: Int32 = -1
    var childStdout: Int32 = -1
    var parentStderr: Int32 = -1
    var childStderr: Int32 = -1

    /// Creates the pipes; on failure closes whatever was opened.
    init() throws(SystemCallError) {
        do {
            (childStdin, parentStdin) = try SystemCall.pipe()
            (parentStdout, childStdout) = try SystemCall.pipe()
            (parentStderr, childStderr) = try SystemCall.pipe()
            // If the daemon runs with 0, 1 or 2 closed, a pipe end can get one
            // of those numbers, and one dup2 in the child would then overwrite
            // the source of another. Moving the child's ends to 3 or above
            // makes the three dup2s independent.
            childStdin = try Self.aboveStandardStreams(childStdin)
            childStdout = try Self.aboveStandardStreams(childStdout)
            childStderr = try Self.aboveStandardStreams(childStderr)
        } catch {
            closeAll()
            throw error
        }
    }

    /// Closes the child's ends in the daemon, once the child has its copies.
    mutating func closeChildEnds() {
        for fd in [childStdin, childStdout, childStderr] where fd >= 0 {
            try? SystemCall.close(fd)
        }
        (childStdin, childStdout, childStderr) = (-1, -1, -1)
    }

    /// Closes the child's stdout and stderr ends, and hands over the child's
    /// stdin end (the read end, close-on-exec here) as a probe: the daemon
    /// never reads from it, but can ask how much input the child left unread.
    mutating func closeChildEndsKeepingInputProbe() -> Int32 {
        let probe = childStdin
        childStdin = -1
        closeChildEnds()
        return probe
    }

    /// Closes every end still open (spawning failed).
    mutating func closeAll() {
        closeChildEnds()
        for fd in [parentStdin, parentStdout, parentStderr] where fd >= 0 {
            try? SystemCall.close(fd)
        }
        (parentStdin, parentStdout, parentStderr) = (-1, -1, -1)
    }

    /// `fd` itself if it is above 2, otherwise a close-on-exec duplicate
    /// numbered 3 or above (and `fd` is closed).
    private static func aboveStandardStreams(_ fd: Int32) throws(SystemCallError) -> Int32 {
        if fd > 2 { return fd }
        let moved = try SystemCall.retrying("fcntl", "fd \(fd)") { fcntl(fd, F_DUPFD_CLOEXEC, 3) }
        try? SystemCall.close(fd)
        return moved
    }
}
