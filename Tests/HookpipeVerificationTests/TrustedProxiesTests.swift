import Testing

@testable import HookpipeVerification

@Suite("trusted proxies and X-Forwarded-For")
struct TrustedProxiesTests {
    private let proxies = try! TrustedProxies(["127.0.0.1", "10.0.0.0/8", "2001:db8:1::/48"])

    private func client(_ peer: String?, _ forwarded: String...) -> String? {
        proxies.client(peer: peer, headers: HeaderFields(forwarded.map { (name: "X-Forwarded-For", value: $0) }))
    }

    @Test("a peer that is not a trusted proxy is the client, whatever the header says")
    func untrustedPeer() {
        #expect(client("198.51.100.7", "203.0.113.9") == "198.51.100.7")
        #expect(client(nil, "203.0.113.9") == nil)
    }

    @Test("behind one trusted proxy the client is the last address it appended")
    func oneProxy() {
        #expect(client("127.0.0.1", "203.0.113.9") == "203.0.113.9")
        #expect(client("127.0.0.1") == "127.0.0.1", "no header: the proxy itself")
    }

    @Test("addresses a client wrote itself, left of what the proxies appended, are not believed")
    func spoofedLeftEntries() {
        #expect(client("127.0.0.1", "203.0.113.9, 198.51.100.7") == "198.51.100.7")
        #expect(client("127.0.0.1", "203.0.113.9", "198.51.100.7") == "198.51.100.7", "two fields read as one list")
    }

    @Test("trusted proxies in a chain are walked past, right to left")
    func proxyChain() {
        #expect(client("127.0.0.1", "203.0.113.9, 10.1.2.3, 10.4.5.6") == "203.0.113.9")
        #expect(client("127.0.0.1", "10.1.2.3, 10.4.5.6") == "10.1.2.3", "all trusted: the leftmost")
        #expect(client("127.0.0.1", "2001:db8::5, 2001:db8:1::9") == "2001:db8::5")
    }

    @Test("ports and brackets are dropped")
    func portsAndBrackets() {
        #expect(client("127.0.0.1", "203.0.113.9:4711") == "203.0.113.9")
        #expect(client("127.0.0.1", "[2001:db8::5]:4711") == "2001:db8::5")
        #expect(client("127.0.0.1", "[2001:db8::5]") == "2001:db8::5")
        #expect(client("127.0.0.1", "  203.0.113.9  ") == "203.0.113.9")
    }

    @Test("an entry that is not an address ends the walk at the last trusted hop", arguments: [
        "unknown", "", "example.com", "203.0.113.9:port", "[2001:db8::5", "[2001:db8::5]x", "203.0.113.9:123456", "fe80::1%eth0",
    ])
    func malformed(entry: String) {
        #expect(client("127.0.0.1", "203.0.113.9, \(entry)") == "127.0.0.1")
        #expect(client("127.0.0.1", "\(entry), 10.1.2.3") == "10.1.2.3")
    }

    @Test("the header name is matched without regard to case")
    func headerCase() {
        let headers = HeaderFields([(name: "x-forwarded-FOR", value: "203.0.113.9")])
        #expect(proxies.client(peer: "127.0.0.1", headers: headers) == "203.0.113.9")
    }

    @Test("bad entries are refused with the allow-list's message")
    func badEntries() {
        #expect(throws: AddressAllowListError.self) { try TrustedProxies(["10.0.0.1/8"]) }
    }
}
