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

@Suite("[admin] console keys")
struct AdminConsoleTOMLTests {
    @Test("the console is on by default, with its actions and without credentials")
    func defaults() throws {
        let admin = try load("[admin]\nenabled = true\n" + minimalSource).config.admin
        #expect(admin.console && admin.consoleActions && admin.consoleAuth == nil)
    }

    @Test("console, console_actions and console_auth are read; console_auth is a secret reference")
    func keys() throws {
        let admin = try load("[admin]\nenabled = true\nconsole = false\nconsole_actions = false\nconsole_auth = \"credential:console\"\n"
                             + minimalSource).config.admin
        #expect(!admin.console && !admin.consoleActions)
        #expect(admin.consoleAuth == .credential("console"))
    }

    @Test("a console on a listener other hosts reach needs credentials, or must be turned off")
    func exposedNeedsCredentials() throws {
        for host in ["0.0.0.0", "::", "10.1.2.3", "hookpipe.internal"] {
            expectError("[admin]\nenabled = true\nhost = \"\(host)\"\n" + minimalSource, code: .missingKey,
                        containing: ["console_auth", "host \"\(host)\" is not a loopback address", "console = false"])
        }
        for host in ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"] {
            #expect(try load("[admin]\nenabled = true\nhost = \"\(host)\"\n" + minimalSource).config.admin.host == host)
        }
        _ = try load("[admin]\nenabled = true\nhost = \"0.0.0.0\"\nconsole = false\n" + minimalSource)
        _ = try load("[admin]\nenabled = true\nhost = \"0.0.0.0\"\nconsole_auth = \"env:CONSOLE\"\n" + minimalSource)
        // The admin listener off: nothing is served, nothing to refuse.
        _ = try load("[admin]\nenabled = false\nhost = \"0.0.0.0\"\n" + minimalSource)
    }

    @Test("console_auth written inline loads with a warning")
    func inline() throws {
        let loaded = try load("[admin]\nenabled = true\nconsole_auth = \"ops:pw\"\n" + minimalSource)
        #expect(loaded.warnings.contains { "\($0)".contains("console_auth is written inline") })
    }
}
