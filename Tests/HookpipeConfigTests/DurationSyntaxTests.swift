import Testing

@testable import HookpipeConfig

@Suite("DurationSyntax")
struct DurationSyntaxTests {
    @Test(
        "every unit parses",
        arguments: [
            ("250ms", Duration.milliseconds(250)), ("10s", .seconds(10)), ("5m", .seconds(300)),
            ("72h", .seconds(72 * 3600)), ("7d", .seconds(7 * 86_400)), ("0s", .zero), ("007s", .seconds(7)),
        ])
    func parses(text: String, expected: Duration) {
        #expect(DurationSyntax.parse(text) == expected)
    }

    @Test(
        "anything else is refused",
        arguments: ["", "10", "s", "3 days", "1.5h", "-5s", "+5s", "10 s", "1h30m", "10S", "5w", "١٠s", "99999999999999999999d"])
    func refuses(text: String) {
        #expect(DurationSyntax.parse(text) == nil)
    }

    @Test("values too large for a Duration are refused, not wrapped")
    func overflow() {
        #expect(DurationSyntax.parse("9223372036854775807ms") == .milliseconds(Int64.max))
        #expect(DurationSyntax.parse("9223372036854775807s") == nil)
        #expect(DurationSyntax.parse("106751991167301d") == nil)
    }

    @Test(
        "formatting picks the largest exact unit",
        arguments: [
            (Duration.seconds(7 * 86_400), "7d"), (.seconds(72 * 3600), "3d"), (.seconds(3600 * 5), "5h"), (.seconds(90), "90s"),
            (.seconds(300), "5m"), (.milliseconds(1500), "1500ms"), (.zero, "0s"),
        ])
    func formats(duration: Duration, expected: String) {
        #expect(DurationSyntax.format(duration) == expected)
    }

    @Test("formatting and parsing round-trip")
    func roundTrip() {
        for text in ["250ms", "10s", "5m", "72h", "7d"] {
            let duration = DurationSyntax.parse(text)
            #expect(duration.flatMap { DurationSyntax.parse(DurationSyntax.format($0)) } == duration)
        }
    }
}
