#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long to stop accepting after `accept(2)` failed for want of
/// resources (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`).
///
/// The listening socket stays readable while the kernel holds connections
/// in its backlog, so without a pause the event loop would retry `accept`
/// at once, forever, at 100 % CPU (what NIO's `AcceptBackoffHandler`,
/// which carries these delays out, exists for). The pause starts short
/// (`floor`): a descriptor is often free again a moment later, when a
/// connection closes. It doubles with each failure in a row, up to `cap`,
/// and starts over after a connection was accepted. Connections already open
/// are served all along. No I/O.
struct AcceptBackoff {
    let floor: Duration
    let cap: Duration
    /// Failures since the last accepted connection.
    private(set) var consecutiveFailures = 0

    init(floor: Duration = .milliseconds(50), cap: Duration = .seconds(1)) {
        self.floor = floor
        self.cap = max(floor, cap)
    }

    /// Whether `errno` from `accept` means "out of descriptors or memory",
    /// which waiting may cure. Other errors are not paused for.
    static func isResourceShortage(_ errno: Int32) -> Bool {
        [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(errno)
    }

    /// `accept` failed with `errno`: the pause before the next try, or `nil`
    /// for an error that is not a shortage.
    mutating func failed(errno: Int32) -> Duration? {
        guard Self.isResourceShortage(errno) else { return nil }
        consecutiveFailures += 1
        var delay = floor
        for _ in 1..<consecutiveFailures where delay < cap {
            delay *= 2
        }
        return min(cap, delay)
    }

    /// A connection was accepted: the next shortage starts at `floor` again.
    mutating func accepted() {
        consecutiveFailures = 0
    }
}
