@testable import HookpipeConfig
import Testing

@Suite("[admin]")
struct AdminConfigTOMLTests {
    @Test("port 0 is accepted: the system picks a free port and the daemon logs it")
    func portZero() throws {
        let config = try load("[admin]\nenabled = true\nport = 0\n" + minimalSource).config
        #expect(config.admin.enabled && config.admin.port == 0 && config.admin.host == "127.0.0.1")
    }
}
