import HookpipeAdmin
import NIOCore
import Testing

@Suite("LoopbackAddress")
struct LoopbackAddressTests {
    @Test("127/8 and ::1 are loopback; wildcard, private and public addresses are not")
    func addresses() throws {
        for ip in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(LoopbackAddress.contains(ip: ip), "\(ip)")
        }
        for ip in ["0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "8.8.8.8", "fe80::1", "128.0.0.1", ""] {
            #expect(!LoopbackAddress.contains(ip: ip), "\(ip)")
        }
        #expect(LoopbackAddress.contains(try SocketAddress(ipAddress: "127.0.0.1", port: 8081)))
        #expect(LoopbackAddress.contains(try SocketAddress(ipAddress: "::1", port: 8081)))
        #expect(!LoopbackAddress.contains(try SocketAddress(ipAddress: "0.0.0.0", port: 8081)))
    }
}
