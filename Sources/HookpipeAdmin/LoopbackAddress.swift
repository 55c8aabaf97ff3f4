public import NIOCore

/// Whether an address is reachable only from this host.
public enum LoopbackAddress {
    /// `127.0.0.0/8`, `::1`, `::ffff:127.x.x.x`, and Unix sockets.
    public static func contains(_ address: SocketAddress) -> Bool {
        switch address {
        case .unixDomainSocket: return true
        case .v4, .v6: return contains(ip: address.ipAddress ?? "")
        }
    }

    /// The same test on an address in text form.
    public static func contains(ip: String) -> Bool {
        let lowered = ip.lowercased()
        return lowered.hasPrefix("127.") || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" || lowered.hasPrefix("::ffff:127.")
    }
}
