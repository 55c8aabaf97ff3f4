import Testing

@testable import HookpipeConfig

@Suite("[server]")
struct ServerConfigTOMLTests {
    private func server(_ body: String) -> String { "[server]\n" + body + "\n" + minimalSource }

    @Test("durations may be strings with units or integer seconds")
    func durations() throws {
        let config = try load(server("request_timeout = \"5m\"\nidle_timeout = 30")).config
        #expect(config.server.requestTimeout == .seconds(300))
        #expect(config.server.idleTimeout == .seconds(30))
        #expect(config.server.firstByteTimeout == nil, "absent: the request timeout applies")
    }

    @Test("first_byte_timeout bounds how long a new connection may stay silent")
    func firstByteTimeout() throws {
        let config = try load(server("first_byte_timeout = \"2s\"")).config
        #expect(config.server.firstByteTimeout == .seconds(2))
    }

    @Test("port must be 1 to 65535", arguments: [0, -1, 65_536, 70_000])
    func portRange(port: Int) {
        expectError(
            server("port = \(port)"), code: .invalidValue,
            containing: ["pipeline.conf: server.port: expected a port number from 1 to 65535, found \(port)"])
    }

    @Test("a quoted port is a type error that shows what was found")
    func portType() {
        expectError(
            server("port = \"8080\""), code: .wrongType,
            containing: [#"server.port: expected a port number from 1 to 65535, found the string "8080""#])
    }

    @Test("sizes and counts must be positive", arguments: ["max_body_bytes", "max_header_bytes", "max_connections"])
    func positiveSizes(key: String) {
        expectError(server("\(key) = 0"), code: .invalidValue, containing: ["server.\(key): expected a positive integer, found 0"])
    }

    @Test("timeouts must be positive durations", arguments: ["request_timeout", "idle_timeout", "first_byte_timeout"])
    func positiveTimeouts(key: String) {
        expectError(
            server("\(key) = \"0s\""), code: .invalidValue,
            containing: [#"server.\#(key): expected a positive duration, found "0s""#])
        expectError(server("\(key) = -5"), code: .invalidValue, containing: ["server.\(key): expected a positive duration, found -5"])
        expectError(
            server("\(key) = \"ten seconds\""), code: .invalidValue,
            containing: [#"server.\#(key): expected a duration like "72h" or "7d""#, #"found "ten seconds""#])
        expectError(server("\(key) = 1.5"), code: .wrongType, containing: ["server.\(key): expected a duration", "found the number 1.5"])
    }

    @Test("threads may be 0 but not negative")
    func threads() throws {
        #expect(try load(server("threads = 0")).config.server.threads == 0)
        expectError(
            server("threads = -1"), code: .invalidValue,
            containing: ["server.threads: expected 0 (one per core) or a positive integer, found -1"])
    }

    @Test("trusted_proxies is a list of addresses or blocks, empty by default")
    func trustedProxies() throws {
        #expect(try load(minimalSource).config.server.trustedProxies.isEmpty)
        let config = try load(server(#"trusted_proxies = ["10.0.0.5", "2001:db8::/32"]"#)).config
        #expect(config.server.trustedProxies == ["10.0.0.5", "2001:db8::/32"])
        expectError(server(#"trusted_proxies = "10.0.0.5""#), code: .wrongType,
                    containing: ["server.trusted_proxies: expected an array of strings", #"found the string "10.0.0.5""#])
        expectError(server(#"trusted_proxies = ["10.0.0.5", 7]"#), code: .wrongType,
                    containing: ["server.trusted_proxies #2: expected a string, found the integer 7"])
        expectError(server(#"trusted_proxies = ["10.0.0.5 10.0.0.6"]"#), code: .invalidValue,
                    containing: ["server.trusted_proxies #1: expected an address or CIDR"])
    }

    @Test("host must be a non-empty string")
    func host() {
        expectError(server("host = \"\""), code: .invalidValue, containing: ["server.host: expected an address", "found an empty string"])
        expectError(server("host = 127"), code: .wrongType, containing: ["server.host: expected an address", "found the integer 127"])
    }

    @Test("a misspelt key is refused with a suggestion and the valid keys")
    func unknownKey() {
        expectError(
            server("prot = 8080"), code: .unknownKey,
            containing: [
                "pipeline.conf: server.prot: unknown key (did you mean \"port\"?)",
                "valid keys here: host, port, max_body_bytes, max_header_bytes, max_connections, request_timeout, idle_timeout, first_byte_timeout, threads",
            ])
    }
}
