import Testing

@testable import HookpipeConfig

@Suite("PipelineConfig.summary")
struct PipelineConfigSummaryTests {
    @Test("the summary shows the listener, state directory and every source")
    func contents() throws {
        let summary = try load(ConfigLoaderTests.fullFile).config.summary()
        let expectedLines = [
            "server",
            "  listen           0.0.0.0:9090",
            "  limits           body 2 MiB, headers 8 KiB, 64 connections",
            "  timeouts         request 250ms, idle 2m",
            "  threads          2",
            "  state directory  /etc/hookpipe/data/state",
            "  level            debug",
            #"source "mercadopago""#,
            "  path             /hooks/mercadopago",
            "  scheme           mercadopago",
            "  secrets          env:MP_SECRET, file:/etc/hookpipe/mp-old, credential:mp-secret, <inline literal>",
            "  tolerance        5m",
            "  dedupe key       json:/id",
            "  dedupe window    3d",
            "  allow            10.0.0.0/8, 2001:db8::/32",
            #"source "internal""#,
            #"  hmac             header X-Signature, sha512, base64, prefix "sha512=", timestamp header X-Timestamp"#,
            "  secrets          file:/etc/hookpipe/secrets/internal",
            "  tolerance        scheme default",
            "  dedupe key       scheme default",
            "  allow            any address",
            #"source "cron""#,
            "  secrets          none",
            "  dedupe key       body-sha256",
        ]
        let lines = summary.split(separator: "\n").map(String.init)
        for line in expectedLines {
            #expect(lines.contains(line), "missing line \(line) in:\n\(summary)")
        }
    }

    @Test("the defaults render readably, IPv6 hosts in brackets")
    func defaults() throws {
        var config = try load(minimalSource).config
        config.server.host = "::"
        let summary = config.summary()
        #expect(summary.contains("  listen           [::]:8080\n"))
        #expect(summary.contains("  limits           body 1 MiB, headers 16 KiB, 1024 connections\n"))
        #expect(summary.contains("  threads          one per core\n"))
        #expect(summary.contains("  dedupe window    7d\n"))
    }

    @Test("no secret value appears in the summary or in printed models")
    func noSecretValues() throws {
        let toml = """
            [[source]]
            name = "a"
            path = "/a"
            scheme = "github"
            secrets = ["literal-secret-value-1", "env:GITHUB_SECRET"]
            """
        let config = try load(toml, environment: ["GITHUB_SECRET": "env-secret-value-2"]).config
        var dumped = ""
        dump(config, to: &dumped)
        for rendering in [config.summary(), String(describing: config), String(reflecting: config), dumped] {
            #expect(!rendering.contains("secret-value"), "leaked in:\n\(rendering)")
        }
        #expect(config.summary().contains("<inline literal>, env:GITHUB_SECRET"))
    }
}
