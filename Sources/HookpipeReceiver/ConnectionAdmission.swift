/// Decides whether a new connection may open, as nginx does when its
/// connections run out: below the limit it opens; at the limit the oldest
/// idle connection is closed to make room; when none is idle it is refused.
///
/// A connection is *idle* from the moment it opens until the first byte of a
/// request, and again between an answer and the next request (keep-alive).
/// Those are the ones that cost a sender nothing to give up: a request in
/// progress is never closed to make room. A flood of connections that never
/// speak therefore only ever displaces its own members and other idle ones,
/// and a legitimate sender's new connection gets in.
///
/// No I/O: the listener (``ConnectionGate``) carries the decisions out.
/// Idle order is kept by a counter, not a clock, so the type needs none.
struct ConnectionAdmission<ID: Hashable> {
    /// What to do with a connection that just arrived.
    enum Decision: Equatable {
        /// Open it.
        case admit
        /// Close `ID` (the oldest idle connection), then open the new one.
        case admitClosing(ID)
        /// Refuse it: every open connection is busy.
        case refuse
    }

    /// Most connections open at once.
    let limit: Int
    /// Open connections: for each, the tick it went idle, or `nil` while busy.
    private var connections: [ID: UInt64?] = [:]
    private var tick: UInt64 = 0

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Connections counted as open.
    var openCount: Int { connections.count }

    /// Connections idle right now.
    var idleCount: Int { connections.values.count { $0 != nil } }

    /// A connection arrived; when admitted it counts as open and idle.
    mutating func arrived(_ id: ID) -> Decision {
        if connections.count < limit {
            markIdle(id)
            return .admit
        }
        guard let victim = oldestIdle() else { return .refuse }
        // The victim stops counting now: its close is under way.
        connections[victim] = nil
        markIdle(id)
        return .admitClosing(victim)
    }

    /// The first byte of a request arrived: `id` may not be closed to make room.
    mutating func becameBusy(_ id: ID) {
        guard connections[id] != nil else { return }  // unknown, or closed to make room
        connections[id] = .some(nil)  // open, and busy
    }

    /// An answer was sent and the connection is kept alive: it may be closed to make room.
    mutating func becameIdle(_ id: ID) {
        guard connections[id] != nil else { return }
        markIdle(id)
    }

    /// The connection closed (or was closed to make room before): it no longer counts.
    mutating func closed(_ id: ID) {
        connections[id] = nil
    }

    private mutating func markIdle(_ id: ID) {
        tick &+= 1
        connections[id] = .some(tick)
    }

    /// A linear scan, done only at the limit (the common path never pays for it).
    private func oldestIdle() -> ID? {
        var oldest: (id: ID, since: UInt64)?
        for (id, since) in connections {
            guard let since else { continue }
            if let current = oldest, current.since <= since { continue }
            oldest = (id, since)
        }
        return oldest?.id
    }
}
