/// Finds where an instant falls in the journal with point lookups on `seq`:
/// the newest event received at or before ``target``, as if `received_at`
/// grew with `seq` (it roughly does; see ``EventPageQuery``). Where it does
/// not, the answer is some event received at or before the target whose next
/// stored neighbour was received after it.
///
/// Does no I/O: the caller looks up the first stored event in each
/// ``nextProbe`` range and hands it to ``record(_:)``, until there is no
/// probe left. The first probe is the top of the range, so a page whose cursor
/// already lies before the target costs one lookup; otherwise each lookup
/// halves the range (about 20 for a million events).
package struct SeqBisection: Sendable, Equatable {
    /// The instant sought, microseconds since the Unix epoch.
    package let target: Int64
    /// The highest seq found received at or before ``target``; one below the range while none is.
    package private(set) var low: Int64
    /// Events at or above this seq count as received after ``target``.
    package private(set) var high: Int64
    private var probedTop = false

    /// Searches the sequence numbers in `range`.
    package init(target: Int64, searching range: Range<Int64>) {
        self.target = target
        low = range.lowerBound - 1
        high = range.upperBound
    }

    /// The next lookup: the first stored event with `seq` in this range; `nil` when the search is done.
    package var nextProbe: Range<Int64>? {
        guard high - low > 1 else { return nil }
        return (probedTop ? low + (high - low) / 2 : high - 1)..<high
    }

    /// The answer to ``nextProbe``: the first stored event in its range, or `nil` when it holds none.
    package mutating func record(seq: Int64?, receivedAtMicros: Int64?) {
        guard let probe = nextProbe else { return }
        probedTop = true
        if let seq, let receivedAtMicros, probe.contains(seq), receivedAtMicros <= target {
            low = seq
        } else {
            // Nothing stored in [probe.lowerBound, seq), and seq itself is later than the target.
            high = probe.lowerBound
        }
    }

    /// The exclusive upper bound of a newest-first scan for ``target``: one above ``low``.
    package var end: Int64 { low + 1 }
}
