import HookpipeStore
import Testing

/// The jump to an instant, against journals held in arrays.
@Suite("SeqBisection")
struct SeqBisectionTests {
    /// Runs the bisection over `received` (index i holds seq i + 1; `nil` is a
    /// pruned seq); returns its end and how many lookups it made.
    func run(_ received: [Int64?], target: Int64, range: Range<Int64>? = nil) -> (end: Int64, probes: Int) {
        var bisection = SeqBisection(target: target, searching: range ?? 1..<Int64(received.count + 1))
        var probes = 0
        while let probe = bisection.nextProbe {
            probes += 1
            let found = probe.first { seq in received.indices.contains(Int(seq) - 1) && received[Int(seq) - 1] != nil }
            bisection.record(seq: found, receivedAtMicros: found.flatMap { received[Int($0) - 1] })
        }
        return (bisection.end, probes)
    }

    @Test("received_at growing with seq: the end is one above the newest event at or before the target")
    func monotonic() {
        let received = (1...1000).map { Int64($0) * 10 as Int64? }
        #expect(run(received, target: 5000).end == 501)
        #expect(run(received, target: 5005).end == 501)
        #expect(run(received, target: 10).end == 2)
        #expect(run(received, target: 9).end == 1, "before every event: an empty range")
        #expect(run(received, target: 1_000_000).end == 1001)
    }

    @Test("about log2(n) lookups for a million events; one when the top of the range is already before the target")
    func lookups() {
        let received = (1...1_000_000).map { Int64($0) as Int64? }
        let middle = run(received, target: 400_000)
        #expect(middle.end == 400_001)
        #expect(middle.probes <= 22)
        #expect(run(received, target: 2_000_000).probes == 1)
        #expect(run(received, target: 2_000_000, range: 1..<500_000).end == 500_000)
    }

    @Test("pruned stretches count as nothing stored; an empty range asks nothing")
    func gaps() {
        var received = (1...100).map { Int64($0) as Int64? }
        for index in 20..<80 { received[index] = nil }
        #expect(run(received, target: 50).end == 21)
        #expect(run(received, target: 85).end == 86)
        let empty = run([], target: 5)
        #expect(empty.end == 1 && empty.probes == 0)
        let emptyRange = run(received, target: 50, range: 7..<7)
        #expect(emptyRange.end == 7 && emptyRange.probes == 0)
    }

    @Test("received_at out of order: it still ends, on an event at or before the target whose next one is later")
    func nonMonotonic() {
        let received: [Int64?] = [10, 20, 30, 45, 40, 50, 60, 55, 70, 80]
        let (end, _) = run(received, target: 42)
        #expect(end == 4 || end == 6, "seq 3 (30) or seq 5 (40): both are at or before 42 and followed by a later one")
        let later = run(received, target: 57).end
        #expect(later == 7 || later == 9, "seq 6 (50) or seq 8 (55)")
    }
}
