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
            "  tolerance        5m (the scheme's default)",
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

    @Test("a source without tolerance shows its scheme's window as a value: MercadoPago 5d, Stripe 5m, GitHub none")
    func toleranceDefaults() throws {
        let summary = try load("""
            [[source]]
            name = "mp"
            path = "/hooks/mp"
            scheme = "mercadopago"
            secrets = ["env:MP"]

            \(minimalSource)

            [[source]]
            name = "gh"
            path = "/hooks/gh"
            scheme = "github"
            secrets = ["env:GH"]
            """).config.summary()
        let tolerances = summary.split(separator: "\n").filter { $0.hasPrefix("  tolerance ") }
        #expect(tolerances == [
            "  tolerance        5d (the scheme's default)",
            "  tolerance        5m (the scheme's default)",
            "  tolerance        none (the scheme signs no timestamp)",
        ], "\(summary)")
    }

    @Test("the defaults render readably, IPv6 hosts in brackets")
    func defaults() throws {
        var config = try load(minimalSource).config
        config.server.host = "::"
        let summary = config.summary()
        #expect(summary.contains("  listen           [::]:8080\n"))
        #expect(summary.contains("  limits           body 1 MiB, headers 16 KiB, 1024 connections\n"))
        #expect(summary.contains("  threads          one per core\n"))
        #expect(summary.contains("  proxies          none trusted (X-Forwarded-For is ignored)\n"))
        #expect(summary.contains("  dedupe window    7d\n"))
    }

    @Test("the summary shows the chain's bounds and every stage, command lines shell-quoted")
    func chain() throws {
        let summary = try load(ChainConfigTOMLTests.fullFile).config.summary()
        let expectedLines = [
            "chain",
            "  stages           normalize -> enrich -> deliver",
            "  output           file:/etc/hookpipe/out/events.ndjson",
            "  in flight        512 events",
            "  timing           flush after 2s, checkpoint every 50ms, drain 1m",
            "  poison after     1 consecutive failures",
            "  stderr tail      100 lines",
            #"stage "normalize" (#1)"#,
            "  command          jq -c '{id: .id, body: .body}'",
            "  shell            no",
            "  environment      JQ_COLORS, PATH",
            "  working dir      /etc/hookpipe/handlers",
            "  backoff          250ms to 1m, healthy after 5s, failed after 10 restarts",
            "  timeout          10s",
            "  in flight        64 lines",
            #"stage "enrich" (#2)"#,
            "  command          /bin/sh -c './enrich.sh | tee -a enrich.log'",
            "  shell            yes",
            "  environment      API_TOKEN, API_URL",
            "  working dir      /srv/enrich",
            #"stage "deliver" (#3)"#,
            "  command          /usr/local/bin/deliver --to https://example.com/hook",
            "  environment      none",
            "  working dir      /etc/hookpipe",
            "  backoff          100ms to 30s, healthy after 10s, failed after 5 restarts",
            "  timeout          30s",
            "  in flight        256 lines",
        ]
        let lines = summary.split(separator: "\n").map(String.init)
        for line in expectedLines {
            #expect(lines.contains(line), "missing line \(line) in:\n\(summary)")
        }
        #expect(!summary.contains("token-value"), "environment value shown in:\n\(summary)")
        #expect(!summary.contains("/opt/jq/bin"), "environment value shown in:\n\(summary)")
    }

    @Test("without stages the chain block says so and shows the defaults")
    func chainDefaults() throws {
        let summary = try load(minimalSource).config.summary()
        #expect(summary.contains("\nchain\n  stages           none (receive and store only)\n  output           discard\n"))
        #expect(summary.contains("  timing           flush after 1s, checkpoint every 200ms, drain 30s\n"))
        #expect(!summary.contains("stage \""))
    }

    @Test("shell quoting leaves plain words alone and single-quotes the rest")
    func shellQuoting() {
        #expect(ShellQuoting.line(["jq", "-c", ".a"]) == "jq -c .a")
        #expect(ShellQuoting.line(["echo", "", "a b", "it's", "$HOME", "x|y"]) == #"echo '' 'a b' 'it'\''s' '$HOME' 'x|y'"#)
        let plain = ["/usr/bin/env", "A=1", "--url=https://x.example/a,b@c%20"]
        #expect(ShellQuoting.line(plain) == plain.joined(separator: " "))
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
