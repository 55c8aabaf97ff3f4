import HookpipeSystemd
import Testing

struct NotifySocketAddressTests {
    @Test func parsesPathsAndAbstractNames() throws {
        #expect(try NotifySocketAddress(parsing: "/run/systemd/notify") == .path("/run/systemd/notify"))
        #expect(try NotifySocketAddress(parsing: "@/org/freedesktop/systemd1/notify") == .abstract("/org/freedesktop/systemd1/notify"))
        #expect(try NotifySocketAddress(parsing: "@x").description == "@x")
    }

    @Test(arguments: ["@", "notify", "vsock:2:1234", "/" + String(repeating: "a", count: 108), "@" + String(repeating: "a", count: 108)])
    func rejects(value: String) {
        let error = #expect(throws: SystemdError.self) { try NotifySocketAddress(parsing: value) }
        #expect(error?.code == .invalidEnvironment)
        #expect(error?.call == "NOTIFY_SOCKET")
    }

    @Test func acceptsTheLongestNamesThatFit() throws {
        let longest = String(repeating: "a", count: 107)
        #expect(try NotifySocketAddress(parsing: "/" + String(longest.dropFirst())) == .path("/" + longest.dropFirst()))
        #expect(try NotifySocketAddress(parsing: "@" + longest) == .abstract(longest))
    }
}
