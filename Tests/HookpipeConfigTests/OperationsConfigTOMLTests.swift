@testable import HookpipeConfig
import Testing

@Suite("[admin], retention and TLS keys")
struct OperationsConfigTOMLTests {
    @Test("defaults: admin off (loopback 8081 when on), retention 30 days, no TLS")
    func defaults() throws {
        let config = try load(minimalSource).config
        #expect(config.admin == AdminConfig())
        #expect(config.admin.host == "127.0.0.1" && config.admin.port == 8081 && !config.admin.enabled)
        #expect(config.store.retention == .seconds(30 * 86_400))
        #expect(config.server.tlsCertificate == nil && config.server.tlsKey == nil)
    }

    @Test("values are read; TLS paths resolve against the config directory")
    func values() throws {
        let config = try load("""
            [server]
            tls_certificate = "tls/cert.pem"
            tls_key = "/secure/key.pem"
            [store]
            retention = "7d"
            [admin]
            enabled = true
            host = "::1"
            port = 9999
            """ + "\n" + minimalSource).config
        #expect(config.server.tlsCertificate == testBaseDirectory + "/tls/cert.pem")
        #expect(config.server.tlsKey == "/secure/key.pem")
        #expect(config.store.retention == .seconds(7 * 86_400))
        #expect(config.admin.enabled && config.admin.host == "::1" && config.admin.port == 9999)
    }

    @Test("a certificate without a key (or the reverse) is refused, naming the missing key")
    func tlsPair() {
        expectError("[server]\ntls_certificate = \"c.pem\"\n" + minimalSource, code: .missingKey, containing: ["server.tls_key", "both"])
        expectError("[server]\ntls_key = \"k.pem\"\n" + minimalSource, code: .missingKey, containing: ["server.tls_certificate"])
    }

    @Test("bad admin values are refused with the key named")
    func badAdmin() {
        expectError("[admin]\nport = 65536\n" + minimalSource, code: .invalidValue, containing: ["admin.port"])
        expectError("[admin]\nenabled = \"yes\"\n" + minimalSource, code: .wrongType, containing: ["admin.enabled"])
        expectError("[admin]\nbind = \"x\"\n" + minimalSource, code: .unknownKey, containing: ["admin.bind"])
    }
}
