/// Turns a running total read from elsewhere (the chain's status) into
/// increments for a Prometheus counter: each sample advances the counter by
/// what was added since the previous sample.
struct CounterCursor: Sendable, Equatable {
    private(set) var last: Int64 = 0

    /// The increment since the previous sample. A total below the previous
    /// one means its source started over (a new runner): all of it is new.
    mutating func advance(to total: Int64) -> Int64 {
        defer { last = total }
        return total >= last ? total - last : total
    }
}
