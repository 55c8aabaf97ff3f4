/// Durations as written in `pipeline.conf`: a whole number and a unit, `"250ms"`,
/// `"10s"`, `"5m"`, `"72h"`, `"7d"`. (An integer TOML value, meaning seconds, is
/// handled by the table reader.) No spaces, fractions, signs or combined units.
/// Also used by the command line (`hookpipe tail --since 15m`).
public enum DurationSyntax {
    /// What a valid duration looks like, for error messages.
    static let expectation = #"a duration like "72h" or "7d" (a whole number with unit ms, s, m, h or d, or an integer number of seconds)"#

    /// Units with their length in milliseconds; `ms` before `m` and `s` so the longest suffix wins.
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// The duration `text` denotes, or nil if it is not one (or too large to represent).
    public static func parse(_ text: String) -> Duration? {
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }) else { return nil }
        let digits = text.dropLast(unit.suffix.count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let count = Int64(digits)
        else { return nil }
        let (milliseconds, overflow) = count.multipliedReportingOverflow(by: unit.milliseconds)
        return overflow ? nil : .milliseconds(milliseconds)
    }

    /// The shortest exact spelling of `duration` in the largest fitting unit: `7d`, `90s`, `250ms`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (secondsInMilliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        guard !overflow, attoseconds % 1_000_000_000_000_000 == 0 else { return "\(duration)" }
        let milliseconds = secondsInMilliseconds + attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        for unit in units.reversed() where milliseconds % unit.milliseconds == 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }
}
