import HookpipeJSON
import Testing

@Suite("RFC3339.parse")
struct RFC3339ParseTests {
    @Test("UTC, offsets, fractions and bare dates")
    func valid() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("2025-11-21T20:00:00.123456Z") == 1_763_755_200_123_456)
        #expect(RFC3339.parse("2025-11-21T20:00:00.1Z") == 1_763_755_200_100_000)
        #expect(RFC3339.parse("2025-11-21T20:00:00.1234567891Z") == 1_763_755_200_123_456)
        #expect(RFC3339.parse("2025-11-21t20:00:00z") == 1_763_755_200_000_000)
        #expect(RFC3339.parse("2025-11-21 20:00:00Z") == 1_763_755_200_000_000)
        #expect(RFC3339.parse("2025-11-21T17:00:00-03:00") == 1_763_755_200_000_000)
        #expect(RFC3339.parse("2025-11-21T21:30:00+01:30") == 1_763_755_200_000_000)
        #expect(RFC3339.parse("2025-11-21") == 1_763_683_200_000_000)
        #expect(RFC3339.parse("1969-12-31T23:59:59.999999Z") == -1)
    }

    @Test("round trip with format")
    func roundTrip() {
        for micros: Int64 in [0, 1, 1_763_755_200_123_456, 4_102_444_799_999_999] {
            #expect(RFC3339.parse(RFC3339.format(micros: micros)) == micros)
        }
    }

    @Test("anything else is refused", arguments: [
        "", "2025", "2025-11", "2025-13-01", "2025-02-30", "2025-11-21T", "2025-11-21T20:00Z", "2025-11-21T20:00:00",
        "2025-11-21T24:00:00Z", "2025-11-21T20:00:00.Z", "2025-11-21T20:00:00+3", "2025-11-21T20:00:00Zjunk", "15m", "now",
    ])
    func invalid(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
