import Foundation
import HookpipeVerification
import Testing

@testable import HookpipeConfig

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    static let fullFile = """
        # hookpipe test configuration
        [server]
        host = "0.0.0.0"            # listen address
        port = 9090
        max_body_bytes = 2097152
        max_header_bytes = 8192
        max_connections = 64
        request_timeout = "250ms"
        idle_timeout = 120
        threads = 2

        [store]
        state_directory = "data/state"
        max_batch = 256

        [log]
        level = "debug"

        [[source]]
        name = "mercadopago"
        path = "/hooks/mercadopago"
        scheme = "mercadopago"
        secrets = ["env:MP_SECRET", "file:/etc/hookpipe/mp-old", "credential:mp-secret", "literal-value"]
        tolerance = "5m"
        dedupe_key = "json:/id"
        dedupe_window = "72h"
        allow_ips = ["10.0.0.0/8", "2001:db8::/32"]

        [[source]]
        name = "internal"
        path = "/hooks/internal"
        scheme = "hmac"
        secret = "file:secrets/internal"

        [source.hmac]
        header = "X-Signature"
        algorithm = "sha512"
        encoding = "base64"
        prefix = "sha512="
        timestamp_header = "X-Timestamp"

        [[source]]
        name = "cron"
        path = "/hooks/cron"
        scheme = "none"
        allow_ips = ["127.0.0.1/32"]
        dedupe_key = "body-sha256"
        """

    @Test("a full file loads into the expected model")
    func fullFile() throws {
        let loaded = try load(Self.fullFile)

        var server = ServerConfig()
        server.host = "0.0.0.0"
        server.port = 9090
        server.maxBodyBytes = 2 << 20
        server.maxHeaderBytes = 8192
        server.maxConnections = 64
        server.requestTimeout = .milliseconds(250)
        server.idleTimeout = .seconds(120)
        server.threads = 2
        var store = StoreConfig()
        store.stateDirectory = "/etc/hookpipe/data/state"
        store.maxBatch = 256
        var log = LogConfig()
        log.level = .debug
        let expected = PipelineConfig(
            server: server, store: store, log: log,
            sources: [
                SourceConfig(
                    name: "mercadopago", path: "/hooks/mercadopago", scheme: .mercadopago,
                    secrets: [.environment("MP_SECRET"), .file("/etc/hookpipe/mp-old"), .credential("mp-secret"), .literal("literal-value")],
                    tolerance: .seconds(300), dedupeKey: .jsonPointer("/id"), dedupeWindow: .seconds(72 * 3600),
                    allowIPs: ["10.0.0.0/8", "2001:db8::/32"]),
                SourceConfig(
                    name: "internal", path: "/hooks/internal", scheme: .hmac,
                    secrets: [.file("/etc/hookpipe/secrets/internal")],
                    hmac: GenericHMACSettings(
                        header: "X-Signature", algorithm: .sha512, encoding: .base64, prefix: "sha512=", timestampHeader: "X-Timestamp")),
                SourceConfig(
                    name: "cron", path: "/hooks/cron", scheme: .none, dedupeKey: .bodyHash, allowIPs: ["127.0.0.1/32"]),
            ])
        #expect(loaded.config == expected)
        #expect(loaded.warnings.map(\.code) == [.inlineSecret])
    }

    @Test("absent tables and keys take their documented defaults")
    func defaults() throws {
        let loaded = try load(minimalSource)
        #expect(loaded.config.server == ServerConfig())
        #expect(loaded.config.server.port == 8080)
        #expect(loaded.config.server.requestTimeout == .seconds(10))
        #expect(loaded.config.log.level == .info)
        #expect(loaded.config.store.stateDirectory == "/etc/hookpipe/state")
        #expect(loaded.config.store.maxBatch == 1024)
        let source = try #require(loaded.config.sources.first)
        #expect(source.tolerance == nil)
        #expect(source.dedupeKey == nil)
        #expect(source.dedupeWindow == .seconds(7 * 86_400))
        #expect(source.allowIPs.isEmpty)
        #expect(source.hmac == nil)
        #expect(loaded.warnings.isEmpty)
    }

    @Test("empty tables are allowed and mean defaults")
    func emptyTables() throws {
        let loaded = try load("[server]\n[store]\n[log]\n" + minimalSource)
        #expect(loaded.config.server == ServerConfig())
        #expect(loaded.config.log == LogConfig())
    }

    @Test("a TOML syntax error names the file, line and column")
    func syntaxError() {
        let toml = """
            [server]
            port = 8080
            host = "127.0.0.1
            """
        let error = expectError(toml, code: .syntax, containing: ["pipeline.conf:3:"])
        #expect(error?.message.contains("invalid TOML") == true)
    }

    @Test("a key written twice is a syntax error at its second line")
    func duplicateKey() {
        expectError("[server]\nport = 1\nport = 2\n" + minimalSource, code: .syntax, containing: ["pipeline.conf:3:"])
    }

    @Test("a NUL character is refused with its line")
    func nulCharacter() {
        expectError("[server]\nport = 1\0\n", code: .syntax, containing: ["pipeline.conf:2:", "NUL"])
    }

    @Test("an unknown top-level table lists the valid ones and suggests a fix")
    func unknownTopLevel() {
        expectError(
            "[sever]\nport = 1\n" + minimalSource, code: .unknownKey,
            containing: ["pipeline.conf: sever: unknown key", "did you mean \"server\"?", "server, store, log, admin, source"])
    }

    @Test("a file without sources is refused")
    func noSources() {
        expectError("[server]\nport = 8080\n", code: .missingKey, containing: ["source:", "at least one [[source]]"])
        expectError("source = []\n", code: .missingKey, containing: ["at least one [[source]]"])
    }

    @Test("[source] written as a single table asks for double brackets")
    func sourceAsSingleTable() {
        expectError(
            "[source]\nname = \"a\"\n", code: .wrongType,
            containing: ["source: expected [[source]] tables (note the double brackets), found a table"])
    }

    @Test("a table written as a plain value is a type error")
    func tableAsValue() {
        expectError("server = 8080\n" + minimalSource, code: .wrongType, containing: ["server: expected a table", "found the integer 8080"])
    }

    @Test("load(path:) reads the file and resolves paths against its directory")
    func loadFromFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/pipeline.conf"
            try writeFile(path, minimalSource)
            let loaded = try ConfigLoader.load(path: path, environment: [:])
            #expect(loaded.config.store.stateDirectory == directory + "/state")
            #expect(loaded.config.sources.map(\.name) == ["stripe"])
        }
    }

    /// Loads the file at `path` expecting an error.
    private func fileError(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
        do {
            _ = try ConfigLoader.load(path: path, environment: [:])
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test("load(path:) names the file in every error")
    func loadFromFileErrors() throws {
        try withTemporaryDirectory { directory in
            let missing = directory + "/missing.conf"
            #expect(fileError(missing)?.code == .unreadableFile)
            #expect(fileError(missing)?.message == "\(missing): cannot read: No such file or directory")
            #expect(fileError(directory)?.message == "\(directory): cannot read: not a regular file")

            let binary = directory + "/binary.conf"
            try Data([0x66, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: binary))
            #expect(fileError(binary)?.message == "\(binary): not valid UTF-8 text")

            let broken = directory + "/broken.conf"
            try writeFile(broken, "[server]\nport = \n")
            let syntax = fileError(broken)
            #expect(syntax?.code == .syntax)
            #expect(syntax?.message.hasPrefix("\(broken):2:") == true)
        }
    }
}
