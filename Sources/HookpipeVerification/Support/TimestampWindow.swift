import struct Foundation.Date

/// A Unix timestamp read from a header, before it is checked against the clock.
struct SignedTimestamp: Sendable {
    /// The digits exactly as received; they are what the sender signed.
    let text: String
    /// The timestamp in seconds since 1970 (fractional when it was sent in milliseconds).
    let seconds: Double

    /// Unix seconds from `text`, which must be ASCII digits only (no sign,
    /// no spaces, no fraction) and fit in 64 bits; `nil` otherwise.
    init?(seconds text: Substring) {
        guard let value = Self.parseDigits(text) else { return nil }
        self.text = String(text)
        self.seconds = Double(value)
    }

    /// Like ``init(seconds:)``, but values of 10^11 and more are taken as
    /// milliseconds: as seconds they would be more than 3000 years from now,
    /// as milliseconds they are after 1973.
    init?(secondsOrMilliseconds text: Substring) {
        guard let value = Self.parseDigits(text) else { return nil }
        self.text = String(text)
        self.seconds = value >= 100_000_000_000 ? Double(value) / 1000 : Double(value)
    }

    /// The timestamp as a date.
    var date: Date { Date(timeIntervalSince1970: seconds) }

    private static func parseDigits(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text)  // nil when the number overflows
    }
}

/// How far a signed timestamp may be from the receiver's clock.
struct TimestampWindow: Sendable {
    /// Largest accepted age (now − timestamp), and largest accepted lead (timestamp − now).
    let tolerance: Duration

    /// `nil` when `timestamp` lies within the tolerance of `now`; otherwise the
    /// failure, `timestampTooOld` or `timestampInFuture`.
    func check(_ timestamp: SignedTimestamp, now: Date, header: String) -> VerificationFailure? {
        let limit = tolerance.asSeconds
        let age = now.timeIntervalSince1970 - timestamp.seconds
        if age > limit {
            return VerificationFailure(
                .timestampTooOld,
                "\(header) is \(Self.format(age)) s old; the tolerance is \(Self.format(limit)) s")
        }
        if -age > limit {
            return VerificationFailure(
                .timestampInFuture,
                "\(header) is \(Self.format(-age)) s in the future; the tolerance is \(Self.format(limit)) s")
        }
        return nil
    }

    private static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e15 else { return "more than 10^15" }
        return String(Int64(seconds.rounded(.down)))
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var asSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
