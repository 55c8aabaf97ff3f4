/// Which stored events an operator command selects (`tail`, `replay`).
///
/// Every condition that is set must hold; an empty filter selects everything.
/// Sequence bounds are inclusive.
public struct EventFilter: Sendable, Equatable {
    /// Only events of this source.
    public var source: String?
    /// Only events stored under this dedupe key (the envelope's `id` of a received event).
    public var dedupeKey: String?
    /// Only events received at or after this instant, microseconds since the Unix epoch.
    public var receivedSinceMicros: Int64?
    /// Only events with `seq >= fromSeq`.
    public var fromSeq: Int64?
    /// Only events with `seq <= toSeq`.
    public var toSeq: Int64?

    public init(source: String? = nil, dedupeKey: String? = nil, receivedSinceMicros: Int64? = nil,
                fromSeq: Int64? = nil, toSeq: Int64? = nil) {
        self.source = source
        self.dedupeKey = dedupeKey
        self.receivedSinceMicros = receivedSinceMicros
        self.fromSeq = fromSeq
        self.toSeq = toSeq
    }

    /// The same filter, starting after `seq` (for reading a selection page by page).
    public func after(_ seq: Int64) -> EventFilter {
        var next = self
        next.fromSeq = max(fromSeq ?? 0, seq + 1)
        return next
    }
}
