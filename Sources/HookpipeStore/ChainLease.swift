/// The right to run the chain, for a store that several nodes share.
///
/// With SQLite there is one node and no lease (``EventStore/chainLease`` is
/// `nil`: the chain always runs). With PostgreSQL every node receives, but
/// only the holder of the lease runs the chain and numbers events; it holds
/// the lease under an `epoch` that grows at every takeover, and every write
/// only the holder may make (sequencing, checkpoints, dead letters) is
/// refused once that epoch is no longer current.
public protocol ChainLease: Sendable {
    /// Suspends until this node holds the lease and returns its epoch.
    /// Throws `CancellationError` when the calling task is cancelled.
    func acquire() async throws -> Int64

    /// Returns once the lease of `epoch` is lost: not renewed in time, taken
    /// over, or a fenced write was refused. Returns at once when it already is.
    /// The caller must then stop the chain without letting it write.
    func lost(epoch: Int64) async

    /// Whether the lease of `epoch` is still trusted for at least `margin`
    /// on this node's monotonic clock; checked right before the chain syncs
    /// its output or saves a checkpoint.
    func isTrusted(epoch: Int64, margin: Duration) -> Bool

    /// The lease's time to live.
    var timeToLive: Duration { get }

    /// Gives the lease up at once (after a graceful drain), so that another
    /// node can take over without waiting for it to expire.
    func release(epoch: Int64) async

    /// What this node knows about the lease, for status.
    func state() -> ChainLeaseState
}

/// A snapshot of the lease as one node sees it.
public struct ChainLeaseState: Sendable, Equatable {
    /// This node's id (`host:pid:start`).
    public var node: String
    /// The epoch this node holds, `nil` when it is a standby.
    public var heldEpoch: Int64?

    public init(node: String, heldEpoch: Int64?) {
        self.node = node
        self.heldEpoch = heldEpoch
    }
}

/// The nodes sharing a store and who runs the chain, as the store records
/// them (`hookpipe status`, `/metrics`).
public struct ChainCluster: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        /// `host:pid:start`.
        public var id: String
        public var startedAtMicros: Int64
        /// The node's last heartbeat (every fifth of `lease_ttl`).
        public var seenAtMicros: Int64

        public init(id: String, startedAtMicros: Int64, seenAtMicros: Int64) {
            self.id = id
            self.startedAtMicros = startedAtMicros
            self.seenAtMicros = seenAtMicros
        }
    }

    /// The lease's holder while its lease has not expired, else `nil`.
    public var holder: String?
    public var epoch: Int64
    /// When the current holder acquired the lease.
    public var heldSinceMicros: Int64?
    /// Nodes seen recently, oldest first.
    public var nodes: [Node]
    /// Events committed but not numbered yet (the sequencer's queue).
    public var unsequenced: Int64

    public init(holder: String?, epoch: Int64, heldSinceMicros: Int64?, nodes: [Node], unsequenced: Int64) {
        self.holder = holder
        self.epoch = epoch
        self.heldSinceMicros = heldSinceMicros
        self.nodes = nodes
        self.unsequenced = unsequenced
    }
}
