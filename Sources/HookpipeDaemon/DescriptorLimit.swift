import Glibc

/// The process's `RLIMIT_NOFILE`, read and raised.
public struct DescriptorLimit: Equatable, Sendable {
    /// The soft limit: what `open`, `accept` and `pipe2` are held to.
    public var soft: Int
    /// The hard limit: how far the soft one may be raised without privileges.
    public var hard: Int

    /// The current limits; `nil` if `getrlimit` failed.
    public static func current() -> DescriptorLimit? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return DescriptorLimit(soft: clamp(limit.rlim_cur), hard: clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one (systemd's default is 1024 soft,
    /// 524288 hard) and returns the limits before and after. Children (the
    /// stages) inherit the raised limit.
    public static func raiseSoftToHard() -> (before: DescriptorLimit, after: DescriptorLimit)? {
        guard let before = current() else { return nil }
        if before.soft < before.hard {
            var limit = rlimit()
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current().map { (before, $0) }
    }

    /// `RLIM_INFINITY` and anything beyond `Int` count as a million.
    private static func clamp(_ value: rlim_t) -> Int {
        value == rlim_t.max || value > rlim_t(Int32.max) ? 1 << 20 : Int(value)  // rlim_t.max is RLIM_INFINITY
    }
}
