import Glibc

/// How a child process ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The process called `exit` with this code (0...255).
    case exited(Int32)
    /// The process was ended by this signal; `coreDumped` tells whether it
    /// left a core file.
    case signaled(Int32, coreDumped: Bool = false)

    /// Decodes a status from `waitpid` (the `WIFEXITED`/`WTERMSIG` macros do
    /// not import into Swift). Stopped states cannot occur: hookpipe never
    /// waits with `WUNTRACED`.
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        if signal == 0 {
            self = .exited((waitStatus >> 8) & 0xff)
        } else {
            self = .signaled(signal, coreDumped: waitStatus & 0x80 != 0)
        }
    }

    /// Whether the process exited with code 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// For example `exit 3`, `signal 9 (SIGKILL)`, `signal 11 (SIGSEGV, core dumped)`.
    public var description: String {
        switch self {
        case .exited(let code):
            return "exit \(code)"
        case .signaled(let signal, let coreDumped):
            var details = [Self.name(ofSignal: signal)].compactMap { $0 }
            if coreDumped { details.append("core dumped") }
            return details.isEmpty ? "signal \(signal)" : "signal \(signal) (\(details.joined(separator: ", ")))"
        }
    }

    /// The symbolic name of a standard signal, e.g. `SIGTERM`; `nil` for
    /// real-time and unknown signals.
    static func name(ofSignal signal: Int32) -> String? {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGUSR1: "SIGUSR1"
        case SIGSEGV: "SIGSEGV"
        case SIGUSR2: "SIGUSR2"
        case SIGPIPE: "SIGPIPE"
        case SIGALRM: "SIGALRM"
        case SIGTERM: "SIGTERM"
        case SIGSTKFLT: "SIGSTKFLT"
        case SIGCHLD: "SIGCHLD"
        case SIGCONT: "SIGCONT"
        case SIGSTOP: "SIGSTOP"
        case SIGTSTP: "SIGTSTP"
        case SIGTTIN: "SIGTTIN"
        case SIGTTOU: "SIGTTOU"
        case SIGURG: "SIGURG"
        case SIGXCPU: "SIGXCPU"
        case SIGXFSZ: "SIGXFSZ"
        case SIGVTALRM: "SIGVTALRM"
        case SIGPROF: "SIGPROF"
        case SIGWINCH: "SIGWINCH"
        case SIGIO: "SIGIO"
        case SIGPWR: "SIGPWR"
        case SIGSYS: "SIGSYS"
        default: nil
        }
    }
}
