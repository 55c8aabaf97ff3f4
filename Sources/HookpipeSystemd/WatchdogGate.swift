/// Decides whether the daemon may ping the systemd watchdog: only while every
/// registered part has reported a heartbeat recently. No I/O, no clock reads.
///
/// The parts that can wedge (the HTTP event loop, the chain ticker) each call
/// ``heartbeat(_:at:)`` periodically; the ping task asks ``shouldPing(now:)``
/// before each ``SystemdNotifier/watchdog()``. When one part stops beating
/// for ``staleAfter``, pings stop, systemd's `WatchdogSec=` expires and
/// `Restart=on-failure` restarts the service, instead of the ping task
/// vouching for a daemon that no longer works.
///
/// Generic over the instant type so tests can pass explicit instants; the
/// daemon uses `ContinuousClock.Instant`. Not synchronised: keep it in one
/// task or behind a lock.
public struct WatchdogGate<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    /// How old a part's last heartbeat may get before the part counts as wedged.
    public let staleAfter: Duration
    /// The last heartbeat of each registered part, by name.
    private var lastBeat: [String: Instant] = [:]

    /// Creates a gate with no parts; use the watchdog's timeout (or less)
    /// for `staleAfter`, and beat more often than that.
    public init(staleAfter: Duration) {
        self.staleAfter = staleAfter
    }

    /// The names of the registered parts, sorted.
    public var parts: [String] { lastBeat.keys.sorted() }

    /// Records that `part` is alive at `now`; the first heartbeat registers
    /// the part. Register every part at start-up, so a part that never beats
    /// also stops the pings.
    public mutating func heartbeat(_ part: String, at now: Instant) {
        if let previous = lastBeat[part], previous > now { return }  // keep the newest
        lastBeat[part] = now
    }

    /// Stops watching `part`, e.g. when it finished on purpose during shutdown.
    public mutating func remove(_ part: String) {
        lastBeat[part] = nil
    }

    /// Whether to ping at `now`: true when every registered part beat less
    /// than ``staleAfter`` ago (also when no part is registered).
    public func shouldPing(now: Instant) -> Bool {
        lastBeat.values.allSatisfy { $0.duration(to: now) < staleAfter }
    }

    /// The parts whose last heartbeat is ``staleAfter`` or older at `now`,
    /// sorted; what to log when ``shouldPing(now:)`` is false.
    public func staleParts(now: Instant) -> [String] {
        lastBeat.filter { $0.value.duration(to: now) >= staleAfter }.keys.sorted()
    }
}
