import HookpipeOperations
import HookpipeStore
import Testing

@Suite("TimeReference and EventFilter.summary")
struct TimeReferenceTests {
    @Test("durations count back from now; RFC 3339 is absolute; anything else is nil")
    func parse() {
        let now: Int64 = 10_000_000_000
        #expect(TimeReference.parse("15m", nowMicros: now) == now - 900_000_000)
        #expect(TimeReference.parse("2h", nowMicros: now) == now - 7_200_000_000)
        #expect(TimeReference.parse("250ms", nowMicros: now) == now - 250_000)
        #expect(TimeReference.parse("1970-01-01T00:00:01Z", nowMicros: now) == 1_000_000)
        #expect(TimeReference.parse("yesterday", nowMicros: now) == nil)
        #expect(TimeReference.parse("-5m", nowMicros: now) == nil)
    }

    @Test("selections read as words")
    func summary() {
        #expect(EventFilter(fromSeq: 5, toSeq: 9).summary == "seq 5 to 9")
        #expect(EventFilter(fromSeq: 5, toSeq: 5).summary == "seq 5")
        #expect(EventFilter(source: "stripe", fromSeq: 5).summary == #"seq 5 and later, source "stripe""#)
        #expect(EventFilter(receivedSinceMicros: 0).summary == "received since 1970-01-01T00:00:00.000000Z")
        #expect(EventFilter().summary == "the whole store")
    }
}
