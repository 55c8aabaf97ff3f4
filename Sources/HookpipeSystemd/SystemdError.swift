import Glibc

/// A failure while talking to the service manager or reading what it passed
/// to the process: which call or variable, on what, and why.
///
/// The description reads like `sendto(2) on /run/systemd/notify (READY=1):
/// Connection refused` or `LISTEN_FDS: "x" is not a descriptor count`. Tell
/// failures apart by ``code``, not by the text.
public struct SystemdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// An environment variable set by the service manager is malformed or
        /// inconsistent with another one (`LISTEN_FDS`, `WATCHDOG_USEC`, …).
        public static let invalidEnvironment = Code("invalidEnvironment")
        /// The variables describe another process (`LISTEN_PID` is not ours).
        public static let wrongProcess = Code("wrongProcess")
        /// A passed descriptor is not a listening stream socket.
        public static let notAListeningSocket = Code("notAListeningSocket")
        /// A notification field the protocol cannot carry (an empty key, or
        /// one containing `=` or a newline).
        public static let invalidField = Code("invalidField")
        /// A system call failed; ``SystemdError/errno`` says why.
        public static let systemCallFailed = Code("systemCallFailed")

        /// The code's name, e.g. `wrongProcess`.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The system call (`socket`, `sendto`, `getsockopt`, `fcntl`) or the
    /// environment variable (`LISTEN_FDS`) that failed.
    public let call: String
    /// What the call was applied to or what was wrong with the variable.
    public let detail: String
    /// The `errno` value when ``code`` is ``Code/systemCallFailed``, else 0.
    public let errno: Int32

    /// Creates an error of kind `code` for `call`, with context `detail`.
    public init(code: Code, call: String, detail: String, errno: Int32 = 0) {
        self.code = code
        self.call = call
        self.detail = detail
        self.errno = errno
    }

    /// A failed system call `call` on `detail` with `errno`.
    static func systemCall(_ call: String, _ detail: String, errno: Int32) -> SystemdError {
        SystemdError(code: .systemCallFailed, call: call, detail: detail, errno: errno)
    }

    /// A malformed environment variable `variable`.
    static func environment(_ variable: String, _ detail: String) -> SystemdError {
        SystemdError(code: .invalidEnvironment, call: variable, detail: detail)
    }

    /// For example `sendto(2) on @notify (READY=1): Connection refused` or
    /// `LISTEN_PID: 41 is not this process (42)`.
    public var description: String {
        guard code == .systemCallFailed else { return "\(call): \(detail)" }
        let reason = String(cString: strerror(errno))
        return detail.isEmpty ? "\(call)(2): \(reason)" : "\(call)(2) on \(detail): \(reason)"
    }
}
