import Foundation

/// The time of day, for `received_at` of stored copies and `--since`.
public enum WallClock {
    /// Microseconds since the Unix epoch.
    @Sendable public static func nowMicros() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000_000)
    }
}
