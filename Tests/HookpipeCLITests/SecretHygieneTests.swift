import Foundation
import Testing

/// Secrets (from files, the environment and the file itself) never show in
/// anything the real binary prints: logs, answers, `check`, config errors,
/// reload rejections. Nor do the signatures it was sent.
@Suite("hookpipe binary: secrets stay out of output", .serialized)
struct SecretHygieneTests {
    /// From files: the workspace's Stripe and MercadoPago secrets.
    static let fileSecrets = ["whsec_cli_test_secret", "mp-cli-secret"]
    static let environmentSecret = "gh-env-secret-3b9f1c0d77"
    static let inlineSecret = "shpss_inline_secret_5e2a7c91"
    /// A Standard Webhooks secret that is not base64: refused, by reference only.
    static let undecodableSecret = "not*base64*secret*91ab"
    static let reloadSecret = "inline-reload-secret-0c4d2f"
    static var allSecrets: [String] {
        fileSecrets + [environmentSecret, inlineSecret, undecodableSecret, reloadSecret]
    }

    static let environment = ["HOOKPIPE_SEC_GITHUB": environmentSecret, "HOOKPIPE_SEC_STANDARD": undecodableSecret]

    static let sources = """

        [[source]]
        name = "github"
        path = "/hooks/github"
        scheme = "github"
        secrets = ["env:HOOKPIPE_SEC_GITHUB"]

        [[source]]
        name = "shopify"
        path = "/hooks/shopify"
        scheme = "shopify"
        secrets = ["\(inlineSecret)"]
        """

    /// Files that `check`, `run` and a reload must refuse, each mentioning a secret.
    static let brokenAdditions = [
        // A secret that cannot be decoded.
        "\n[[source]]\nname = \"standard\"\npath = \"/hooks/standard\"\nscheme = \"standard-webhooks\"\nsecrets = [\"env:HOOKPIPE_SEC_STANDARD\"]\n",
        "\n[[source]]\nname = \"standard\"\npath = \"/hooks/standard\"\nscheme = \"standard-webhooks\"\nsecrets = [\"\(undecodableSecret)\"]\n",
        // A TOML syntax error right after an inline secret.
        "\n[[source]]\nname = \"x\"\npath = \"/hooks/x\"\nscheme = \"github\"\nsecrets = [\"\(reloadSecret)\" \"\(reloadSecret)\"\n",
        // An unknown key and a wrong type next to an inline secret.
        "\n[[source]]\nname = \"y\"\npath = \"/hooks/y\"\nscheme = \"github\"\nsecret = \"\(reloadSecret)\"\nsecrets = \"\(reloadSecret)\"\nsecert = \"\(reloadSecret)\"\n",
    ]

    @Test("no secret and no received signature in logs, answers, check output, config errors or reload rejections")
    func secretsNeverPrinted() throws {
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: Self.sources)
        defer { workspace.remove() }
        var outputs: [String] = []
        func record(_ result: HookpipeBinary.Result) { outputs.append(result.stdout + result.stderr) }

        record(try HookpipeBinary.run(["check", "--config", workspace.config], environment: Self.environment))
        let original = try String(contentsOfFile: workspace.config, encoding: .utf8)
        for (index, addition) in Self.brokenAdditions.enumerated() {
            let broken = workspace.directory + "/broken-\(index).conf"
            try (original + addition).write(toFile: broken, atomically: false, encoding: .utf8)
            let check = try HookpipeBinary.run(["check", "--config", broken], environment: Self.environment)
            #expect(check.status == 1, "broken-\(index) should be refused: \(check.stdout)\(check.stderr)")
            record(check)
        }
        let refusedRun = try HookpipeBinary.run(["run", "--config", workspace.directory + "/broken-0.conf"],
                                                environment: Self.environment, timeout: 30)
        #expect(refusedRun.status == 1)
        record(refusedRun)

        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config, environment: Self.environment)
        try daemon.waitUntilListening()
        // The same sources with other secrets, as a forger would sign.
        let forger = workspace.directory + "/forger.conf"
        try original.replacingOccurrences(of: "file:secrets/stripe.secret", with: "whsec_forged_secret")
            .replacingOccurrences(of: "env:HOOKPIPE_SEC_GITHUB", with: "forged-github-secret")
            .replacingOccurrences(of: Self.inlineSecret, with: "forged-shopify-secret")
            .write(toFile: forger, atomically: false, encoding: .utf8)
        var forgedSignatures: [String] = []
        for source in ["stripe", "github", "shopify"] {
            let printed = try HookpipeBinary.run(["sign", "--config", forger, "--source", source, "--data", #"{"id":"evt_forged"}"#])
            #expect(printed.status == 0, "\(printed.stderr)")
            forgedSignatures += printed.stdout.matches(of: /[0-9a-f]{64}|[A-Za-z0-9+\/]{43}=/).map { String($0.output) }
            let answer = try Self.shell(printed.stdout)
            #expect(answer.contains("signature_mismatch"), "\(source): \(answer)")
            outputs.append(answer)
        }
        #expect(forgedSignatures.count == 3)
        let unsigned = try Self.shell("curl -sS -X POST http://127.0.0.1:\(workspace.port)/hooks/github -d '{}'")
        #expect(unsigned.contains("missing_header"), "\(unsigned)")
        let accepted = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "github", "--data", #"{"zen":"ok"}"#, "--send"],
                                              environment: Self.environment)
        #expect(accepted.stdout.contains(#""status":"accepted""#), "\(accepted.stdout)\(accepted.stderr)")
        outputs += [unsigned, accepted.stdout + accepted.stderr]

        for (index, addition) in Self.brokenAdditions.enumerated() {
            try (original + addition).write(toFile: workspace.config, atomically: false, encoding: .utf8)
            ReloadTests.reload(daemon, expecting: "reload rejected", occurrence: index + 1)
        }
        #expect(daemon.stop() == 0)
        let log = daemon.stderr.snapshot()
        #expect(log.components(separatedBy: "reload rejected").count - 1 == Self.brokenAdditions.count, "\(log)")
        #expect(log.contains("signature_mismatch"))
        outputs.append(log)

        for output in outputs {
            for secret in Self.allSecrets {
                #expect(!output.contains(secret), "secret \(secret) printed in:\n\(output)")
            }
        }
        for signature in forgedSignatures {
            #expect(!log.contains(signature), "a received signature is in the log")
        }
    }

    /// Runs `command` with /bin/sh and returns its stdout.
    static func shell(_ command: String) throws -> String {
        try HookpipeBinary.run(["-c", command], executable: "/bin/sh").stdout
    }
}
