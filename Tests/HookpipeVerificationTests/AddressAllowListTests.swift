import Testing
@testable import HookpipeVerification

@Suite struct AddressAllowListTests {
    @Test func ipv4AddressesAndBlocks() throws {
        let list = try AddressAllowList(["192.0.2.7", "198.51.100.0/24", " 203.0.113.128/25 "])
        #expect(list.allows("192.0.2.7"))
        #expect(!list.allows("192.0.2.8"))
        #expect(list.allows("198.51.100.0"))
        #expect(list.allows("198.51.100.255"))
        #expect(!list.allows("198.51.101.0"))
        #expect(list.allows("203.0.113.200"))
        #expect(!list.allows("203.0.113.127"))
        #expect(list.entries == ["192.0.2.7", "198.51.100.0/24", "203.0.113.128/25"])
    }

    @Test func ipv6AddressesAndBlocks() throws {
        let list = try AddressAllowList(["2001:db8::1", "2001:db8:abcd::/48", "fe80::/10"])
        #expect(list.allows("2001:db8::1"))
        #expect(list.allows("2001:0db8:0000:0000:0000:0000:0000:0001"))
        #expect(!list.allows("2001:db8::2"))
        #expect(list.allows("2001:db8:abcd:ffff::1"))
        #expect(!list.allows("2001:db8:abce::1"))
        #expect(list.allows("febf::1"))
        #expect(list.allows("[2001:db8::1]"))
        #expect(!list.allows("fe80::1%eth0"))  // zones are not addresses
    }

    @Test func mappedAddressesMatchIPv4Rules() throws {
        let list = try AddressAllowList(["10.0.0.0/8"])
        #expect(list.allows("::ffff:10.1.2.3"))
        #expect(list.allows("::FFFF:0a01:0203"))
        #expect(!list.allows("::ffff:11.1.2.3"))
        // A mapped entry is an IPv4 rule too.
        let mapped = try AddressAllowList(["::ffff:192.0.2.0/120", "::ffff:198.51.100.9"])
        #expect(mapped.allows("192.0.2.77"))
        #expect(mapped.allows("198.51.100.9"))
        #expect(mapped.allows("::ffff:198.51.100.9"))
        #expect(!mapped.allows("198.51.100.10"))
    }

    @Test func familiesDoNotMix() throws {
        let v4All = try AddressAllowList(["0.0.0.0/0"])
        #expect(v4All.allows("8.8.8.8"))
        #expect(v4All.allows("::ffff:8.8.8.8"))
        #expect(!v4All.allows("2001:db8::1"))
        let v6All = try AddressAllowList(["::/0"])
        #expect(v6All.allows("2001:db8::1"))
        #expect(!v6All.allows("8.8.8.8"))
        #expect(!v6All.allows("::ffff:8.8.8.8"))
    }

    @Test func unparsableAddressesAreNotAllowed() throws {
        let list = try AddressAllowList(["0.0.0.0/0", "::/0"])
        for address in ["", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:80", "::g", "1.2.3.4/32", " 1.2.3.4"] {
            #expect(!list.allows(address), "\(address)")
        }
        #expect(try AddressAllowList([]).isEmpty)
        #expect(!(try AddressAllowList([]).allows("1.2.3.4")))
    }

    @Test(arguments: [
        ("", "empty"),
        ("   ", "empty"),
        ("10.0.0.0/33", "larger than 32"),
        ("2001:db8::/129", "larger than 128"),
        ("10.0.0.0/", "not a number"),
        ("10.0.0.0/-1", "not a number"),
        ("10.0.0.0/+8", "not a number"),
        ("10.0.0.0/8/9", "not a number"),
        ("10.0.0.0/99999999999999999999", "not a number"),
        ("10.0.0.1/8", "bits are set"),
        ("2001:db8::1/32", "bits are set"),
        ("10.0.0", "not an IPv4 or IPv6 address"),
        ("example.com", "not an IPv4 or IPv6 address"),
        ("fe80::1%eth0", "not an IPv4 or IPv6 address"),
        ("[::1]", "not an IPv4 or IPv6 address"),
    ])
    func badEntriesNameTheEntryAndTheReason(_ entry: String, _ reason: String) {
        do {
            _ = try AddressAllowList(["192.0.2.1", entry])
            Issue.record("accepted \(entry)")
        } catch {
            #expect(error.entry == entry)
            #expect(error.index == 1)
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.description.contains("\"\(entry)\""))
        }
    }
}
