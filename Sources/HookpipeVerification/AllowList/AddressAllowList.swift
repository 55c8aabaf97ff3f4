#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The remote addresses allowed to post to a source: single addresses and
/// CIDR blocks, IPv4 and IPv6.
///
/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, as a dual-stack socket
/// reports IPv4 clients) are IPv4 addresses here, both in the list (with a
/// prefix of at least 96) and when checked; otherwise IPv4 addresses only
/// match IPv4 entries and IPv6 addresses IPv6 entries, so allowing everyone
/// takes `0.0.0.0/0` and `::/0`.
public struct AddressAllowList: Sendable, Equatable, CustomStringConvertible {
    /// One block: the network address (host bits zero) and its prefix length,
    /// both in IPv6 terms (IPv4 in the mapped range), and its family.
    struct Block: Sendable, Equatable {
        let network: UInt128
        let prefixLength: Int
        let isIPv4: Bool

        func contains(_ address: UInt128, isIPv4: Bool) -> Bool {
            isIPv4 == self.isIPv4 && (prefixLength == 0 || (address ^ network) >> (128 - prefixLength) == 0)
        }
    }

    /// The entries as given (trimmed), for printing.
    public let entries: [String]
    private let blocks: [Block]

    /// Parses `entries`: each an address (`192.0.2.7`, `2001:db8::1`) or a CIDR
    /// block (`192.0.2.0/24`, `2001:db8::/32`). Throws ``AddressAllowListError``
    /// naming the first bad entry and why; host bits set below the prefix
    /// (`10.0.0.1/8`) are refused as a likely typo.
    public init(_ entries: [String]) throws(AddressAllowListError) {
        var blocks: [Block] = []
        var trimmedEntries: [String] = []
        for (index, entry) in entries.enumerated() {
            let trimmed = String(SignatureHeader.trimmed(Substring(entry)))
            blocks.append(try Self.parse(trimmed, original: entry, index: index))
            trimmedEntries.append(trimmed)
        }
        self.entries = trimmedEntries
        self.blocks = blocks
    }

    /// Whether the list has no entries. The receiver treats an empty list as
    /// "any address"; ``allows(_:)`` itself allows nothing then.
    public var isEmpty: Bool { blocks.isEmpty }

    /// Whether `address` (textual IPv4 or IPv6, optionally in brackets, without
    /// port or zone) falls in one of the blocks. Unparsable addresses are not allowed.
    public func allows(_ address: String) -> Bool {
        var text = Substring(address)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard let (value, written) = Self.address(String(text)) else { return false }
        let isIPv4 = written == .ipv4 || Self.isMapped(value)
        return blocks.contains { $0.contains(value, isIPv4: isIPv4) }
    }

    /// The entries, comma-separated.
    public var description: String { entries.joined(separator: ", ") }

    private static func parse(_ entry: String, original: String, index: Int) throws(AddressAllowListError) -> Block {
        func fail(_ reason: String) -> AddressAllowListError {
            AddressAllowListError(entry: original, index: index, reason: reason)
        }
        guard !entry.isEmpty else { throw fail("the entry is empty") }
        let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let (value, written) = address(String(parts[0])) else {
            throw fail("'\(parts[0])' is not an IPv4 or IPv6 address")
        }
        let maxLength = written == .ipv4 ? 32 : 128
        var length = maxLength
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let parsed = Int(digits) else {
                throw fail("the prefix length '\(digits)' is not a number")
            }
            guard parsed <= maxLength else {
                throw fail("the prefix length \(parsed) is larger than \(maxLength)")
            }
            length = parsed
        }
        // IPv4 addresses sit in the mapped range, the last 32 bits of ::ffff:0:0/96.
        let prefixLength = written == .ipv4 ? length + 96 : length
        let hostMask: UInt128 = prefixLength == 128 ? 0 : UInt128.max >> prefixLength
        guard value & hostMask == 0 else {
            throw fail("bits are set after the /\(length) prefix; the block would start at a lower address")
        }
        let isIPv4 = written == .ipv4 || (prefixLength >= 96 && isMapped(value))
        return Block(network: value, prefixLength: prefixLength, isIPv4: isIPv4)
    }

    /// How an address was written.
    enum Notation { case ipv4, ipv6 }

    /// The address as 128 bits (IPv4 placed in `::ffff:0:0/96`) and how it was written.
    static func address(_ text: String) -> (UInt128, Notation)? {
        guard !text.isEmpty, !text.contains("%") else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return (mapped(bytes), .ipv4)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return (bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }, .ipv6)
        }
        return nil
    }

    /// Whether `value` lies in `::ffff:0:0/96`.
    static func isMapped(_ value: UInt128) -> Bool { value >> 32 == 0xffff }

    private static func mapped(_ v4: [UInt8]) -> UInt128 {
        v4.reduce(UInt128(0xffff)) { $0 << 8 | UInt128($1) }
    }
}

/// An allow-list entry that could not be parsed.
public struct AddressAllowListError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The entry as written.
    public var entry: String
    /// Its position in the list, from 0.
    public var index: Int
    /// Why it was refused.
    public var reason: String

    /// Creates an error for `entry` at `index`.
    public init(entry: String, index: Int, reason: String) {
        self.entry = entry
        self.index = index
        self.reason = reason
    }

    /// `allow-list entry "<entry>": <reason>`.
    public var description: String { "allow-list entry \"\(entry)\": \(reason)" }
}
