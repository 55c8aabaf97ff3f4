import Glibc

/// The service watchdog systemd armed for this process (`WatchdogSec=`), read
/// from `WATCHDOG_USEC` and `WATCHDOG_PID` (`sd_watchdog_enabled` semantics).
///
/// Ping with ``SystemdNotifier/watchdog()`` every ``pingInterval`` (half the
/// timeout, as `systemd.service(5)` recommends), and only while a
/// ``WatchdogGate`` says every part of the daemon is alive.
public struct WatchdogSettings: Sendable, Hashable {
    /// How long systemd waits for a ping before it kills the service.
    public let timeout: Duration

    /// Creates settings for a watchdog of `timeout`.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// How often to ping: half of ``timeout``.
    public var pingInterval: Duration { timeout / 2 }

    /// Reads the watchdog from `environment`; `nil` when there is none for
    /// this process.
    ///
    /// There is none when `WATCHDOG_USEC` is unset or empty, or when
    /// `WATCHDOG_PID` is set and names another process (the variables were
    /// inherited from a parent the watchdog is meant for).
    ///
    /// - Parameter processID: this process's id; `nil` (the default) means `getpid()`.
    /// - Throws: ``SystemdError`` with code ``SystemdError/Code/invalidEnvironment``
    ///   when `WATCHDOG_USEC` is not a positive number of microseconds or
    ///   `WATCHDOG_PID` is not a process id.
    public init?(environment: [String: String], processID: Int32? = nil) throws(SystemdError) {
        guard let text = environment["WATCHDOG_USEC"], !text.isEmpty else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid > 0 else {
                throw .environment("WATCHDOG_PID", "\"\(pidText)\" is not a process id")
            }
            guard pid == processID ?? getpid() else { return nil }
        }
        guard let micros = UInt64(text), micros > 0, micros != UInt64.max else {
            throw .environment("WATCHDOG_USEC", "\"\(text)\" is not a positive number of microseconds")
        }
        timeout = .microseconds(micros)
    }
}
