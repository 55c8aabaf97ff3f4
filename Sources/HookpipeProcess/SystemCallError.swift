import Glibc

/// A failed system call: which call, on what, and the `errno` it set.
///
/// The description reads like `write(2) on fd 7: Broken pipe`. The code is
/// the `errno` value itself (``errno``), so callers can tell a broken pipe
/// (the child went away) from a real fault without parsing text.
public struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call's name without the manual section, e.g. `write` or `kill`.
    public let call: String
    /// What the call was applied to, e.g. `fd 7`, `process group 4242`,
    /// `'a.tmp' -> 'a'`, a path; empty when there is nothing useful to say.
    public let detail: String
    /// The `errno` value the call failed with, e.g. `EPIPE`.
    public let errno: Int32

    /// Creates an error for `call` on `detail` that failed with `errno`.
    public init(call: String, detail: String, errno: Int32) {
        self.call = call
        self.detail = detail
        self.errno = errno
    }

    /// The C library's text for ``errno``, e.g. `Broken pipe`.
    public var reason: String {
        String(cString: strerror(errno))
    }

    /// Whether the call failed because the other end of a pipe is closed
    /// (`EPIPE`): for a child's stdin, the child exited or closed it.
    public var isBrokenPipe: Bool { errno == EPIPE }

    /// For example `write(2) on fd 7: Broken pipe`.
    public var description: String {
        detail.isEmpty ? "\(call)(2): \(reason)" : "\(call)(2) on \(detail): \(reason)"
    }
}
