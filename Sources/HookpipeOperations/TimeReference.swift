import HookpipeConfig
import HookpipeJSON
import HookpipeStore

/// An instant as operators write it after `--since`: an RFC 3339 timestamp
/// (`2026-11-21T20:15:00Z`, `2026-11-21T17:15:00-03:00`, or a date,
/// `2026-11-21`, meaning its midnight UTC) or a duration back from now in the
/// config's syntax (`90s`, `15m`, `2h`, `7d`).
public enum TimeReference {
    /// What `--since` accepts, for error messages.
    public static let expectation = "an RFC 3339 time like 2026-11-21T20:15:00Z or a duration back from now like 15m, 2h or 7d"

    /// Microseconds since the Unix epoch, or `nil` when `text` is neither form.
    public static func parse(_ text: String, nowMicros: Int64) -> Int64? {
        if let duration = DurationSyntax.parse(text) {
            return nowMicros - duration.microseconds
        }
        return RFC3339.parse(text)
    }
}
