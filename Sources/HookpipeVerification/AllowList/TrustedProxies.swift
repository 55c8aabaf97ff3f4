/// The reverse proxies whose `X-Forwarded-For` hookpipe believes, and the
/// client address that follows from it.
///
/// Behind a proxy every request comes from the proxy's address, so a
/// source's `allow_ips` would either let everyone in (the proxy is listed)
/// or no one. Each proxy appends the address it received the request from
/// to `X-Forwarded-For`; everything to the left of what a trusted proxy
/// appended was written by someone hookpipe does not trust. So the client is
/// found by walking the header from its right end: past every address that
/// is itself a trusted proxy, stopping at the first that is not.
public struct TrustedProxies: Sendable, Equatable {
    /// The proxies' addresses and blocks.
    public let list: AddressAllowList

    /// Parses `entries` like `allow_ips` (addresses and CIDR blocks).
    public init(_ entries: [String]) throws(AddressAllowListError) {
        list = try AddressAllowList(entries)
    }

    /// The address the request came from.
    ///
    /// `peer` itself, unless `peer` is a trusted proxy and the request has
    /// `X-Forwarded-For` (several fields are read as one list, in order).
    /// Then the rightmost address in it that is not a trusted proxy; the
    /// leftmost one when all are. An entry that is not an address (`unknown`,
    /// a name, garbage) ends the walk at the last trusted hop before it: a
    /// request is never credited to an address no trusted proxy vouched for.
    /// Ports (`192.0.2.7:4711`, `[2001:db8::1]:4711`) and brackets are dropped.
    public func client(peer: String?, headers: HeaderFields) -> String? {
        guard let peer, list.allows(peer) else { return peer }
        let entries = headers.fields
            .filter { $0.name.caseInsensitiveASCIIEquals("x-forwarded-for") }
            .flatMap { $0.value.split(separator: ",", omittingEmptySubsequences: false) }
        var client = peer
        for entry in entries.reversed() {
            guard let address = Self.address(in: SignatureHeader.trimmed(entry)) else { break }
            client = address
            guard list.allows(address) else { break }
        }
        return client
    }

    /// The bare address in one `X-Forwarded-For` entry, or nil when it holds none.
    static func address(in entry: Substring) -> String? {
        var text = entry
        if text.hasPrefix("[") {
            // [v6] or [v6]:port
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && isPort(rest.dropFirst())) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            // v4:port (an IPv6 address has at least two colons)
            guard isPort(text[text.index(after: colon)...]) else { return nil }
            text = text[..<colon]
        }
        let address = String(text)
        return AddressAllowList.address(address) == nil ? nil : address
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
