import Glibc

/// Sends state notifications to the service manager (`sd_notify` semantics).
///
/// Reads `NOTIFY_SOCKET` once, from the environment it is given, and sends
/// each notification as one datagram on a fresh `AF_UNIX`/`SOCK_DGRAM`
/// socket. Holding no descriptor and no mutable state, it is safe to use from
/// any thread or task. When `NOTIFY_SOCKET` is unset or empty (not started by
/// systemd, or `Type=` is not `notify`) every call does nothing and returns
/// `false`.
///
/// Sends block for at most ``sendTimeout`` when the manager's queue is full,
/// so call them from a task that may block briefly, not from an event loop.
public struct SystemdNotifier: Sendable {
    /// How long one send may wait for room in the manager's receive queue.
    public static let sendTimeout: Duration = .seconds(2)

    /// The parsed `NOTIFY_SOCKET`, or why it could not be parsed; `nil` when
    /// notifications are off.
    private let target: Result<NotifySocketAddress, SystemdError>?

    /// Reads `NOTIFY_SOCKET` from `environment`, typically
    /// `ProcessInfo.processInfo.environment`.
    ///
    /// A malformed value is not reported here but by every send, so that
    /// constructing a notifier never fails.
    public init(environment: [String: String]) {
        guard let value = environment["NOTIFY_SOCKET"], !value.isEmpty else {
            target = nil
            return
        }
        do throws(SystemdError) {
            target = .success(try NotifySocketAddress(parsing: value))
        } catch {
            target = .failure(error)
        }
    }

    /// Whether `NOTIFY_SOCKET` was set, i.e. whether sends do anything.
    public var isEnabled: Bool { target != nil }

    /// The manager's socket, when `NOTIFY_SOCKET` was set and well formed.
    public var address: NotifySocketAddress? { try? target?.get() }

    /// Sends `READY=1`: start-up finished (for hookpipe: the store recovered
    /// and the listeners are bound). Send it again after a reload.
    @discardableResult
    public func ready() throws(SystemdError) -> Bool {
        try send([("READY", "1")])
    }

    /// Sends `STATUS=text`, a one-line status shown by `systemctl status`.
    /// Newlines and carriage returns in `text` become spaces.
    @discardableResult
    public func status(_ text: String) throws(SystemdError) -> Bool {
        try send([("STATUS", text)])
    }

    /// Sends `WATCHDOG=1`, the keep-alive ping for `WatchdogSec=`.
    @discardableResult
    public func watchdog() throws(SystemdError) -> Bool {
        try send([("WATCHDOG", "1")])
    }

    /// Sends `STOPPING=1`: shutdown began.
    @discardableResult
    public func stopping() throws(SystemdError) -> Bool {
        try send([("STOPPING", "1")])
    }

    /// Sends `RELOADING=1` with `MONOTONIC_USEC`, the `CLOCK_MONOTONIC` time
    /// at which the reload began; follow it with ``ready()`` when done.
    @discardableResult
    public func reloading(monotonicMicros: UInt64 = SystemdNotifier.monotonicMicros()) throws(SystemdError) -> Bool {
        try send([("RELOADING", "1"), ("MONOTONIC_USEC", String(monotonicMicros))])
    }

    /// Sends `EXTEND_TIMEOUT_USEC`: asks for `duration` more before the
    /// start-up (or stop) timeout fires, e.g. while recovering a large store.
    @discardableResult
    public func extendTimeout(by duration: Duration) throws(SystemdError) -> Bool {
        let parts = max(duration, .zero).components
        let micros = parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
        return try send([("EXTEND_TIMEOUT_USEC", String(micros))])
    }

    /// Sends `fields` as one notification, `KEY=value` lines joined by `\n`.
    ///
    /// Newlines in values become spaces. Returns `false` without sending when
    /// notifications are off or `fields` is empty.
    ///
    /// - Throws: ``SystemdError``: ``SystemdError/Code/invalidField`` for a
    ///   key that is empty or contains `=` or a newline;
    ///   ``SystemdError/Code/invalidEnvironment`` for a malformed
    ///   `NOTIFY_SOCKET`; ``SystemdError/Code/systemCallFailed`` naming
    ///   `socket`, `setsockopt` or `sendto` (e.g. `ECONNREFUSED` when nobody
    ///   listens at the address).
    @discardableResult
    public func send(_ fields: [(String, String)]) throws(SystemdError) -> Bool {
        guard let target, !fields.isEmpty else { return false }
        let message = try Self.encode(fields)
        let address = try target.get()
        try Self.sendDatagram(message, to: address)
        return true
    }

    /// The current `CLOCK_MONOTONIC` time in microseconds, the clock
    /// `MONOTONIC_USEC` is defined on.
    public static func monotonicMicros() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// The datagram for `fields`; no I/O.
    static func encode(_ fields: [(String, String)]) throws(SystemdError) -> String {
        var lines: [String] = []
        lines.reserveCapacity(fields.count)
        for (key, value) in fields {
            guard !key.isEmpty, !key.contains(where: { $0 == "=" || $0.isNewline }) else {
                throw SystemdError(code: .invalidField, call: "sd_notify", detail: "invalid field name \"\(key)\"")
            }
            let flat = String(value.map { $0.isNewline ? " " : $0 })
            lines.append(key + "=" + flat)
        }
        return lines.joined(separator: "\n")
    }

    /// Sends `message` as one datagram to `address` from a fresh socket.
    private static func sendDatagram(_ message: String, to address: NotifySocketAddress) throws(SystemdError) {
        let summary = message.prefix(while: { $0 != "\n" })
        let detail = "\(address) (\(summary))"
        let fd = try retryingSyscall("socket", detail) {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        }
        defer { close(fd) }
        let timeout = sendTimeout.components
        var limit = timeval(tv_sec: Int(timeout.seconds), tv_usec: Int(timeout.attoseconds / 1_000_000_000_000))
        _ = try retryingSyscall("setsockopt", detail) {
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        let bytes = Array(message.utf8)
        let sent = try address.withSocketAddress { (pointer, length) throws(SystemdError) in
            try retryingSyscall("sendto", detail) {
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), pointer, length) }
            }
        }
        guard sent == bytes.count else {
            throw SystemdError.systemCall("sendto", detail + ", \(sent) of \(bytes.count) bytes", errno: EMSGSIZE)
        }
    }
}
