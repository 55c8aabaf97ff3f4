import HookpipeVerification
import Testing

@testable import HookpipeConfig

@Suite("[[source]]")
struct SourceConfigTOMLTests {
    /// One `[[source]]` table; `nil` leaves a key out.
    private func source(
        name: String? = "stripe", path: String? = "/hooks/stripe", scheme: String? = "stripe",
        secrets: String? = #"secrets = ["env:STRIPE_SECRET"]"#, _ extra: String = ""
    ) -> String {
        var lines = ["[[source]]"]
        if let name { lines.append("name = \"\(name)\"") }
        if let path { lines.append("path = \"\(path)\"") }
        if let scheme { lines.append("scheme = \"\(scheme)\"") }
        if let secrets { lines.append(secrets) }
        if !extra.isEmpty { lines.append(extra) }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: name, path, scheme

    @Test("name is required; before it is known the source is named by position")
    func missingName() {
        expectError(
            source() + source(name: nil), code: .missingKey,
            containing: ["pipeline.conf: source #2: name: required key is missing"])
    }

    @Test("names are restricted to letters, digits, '.', '_' and '-'")
    func invalidName() {
        expectError(
            source(name: "my source"), code: .invalidValue,
            containing: [#"source #1: name: expected a name like "stripe""#, #"found "my source""#])
        expectError(source(name: ""), code: .invalidValue, containing: ["source #1: name:", "found an empty string"])
    }

    @Test("names must be unique")
    func duplicateName() {
        expectError(
            source() + source(path: "/hooks/other"), code: .duplicate,
            containing: [#"source "stripe" (#2): name: source #1 has the same name"#])
    }

    @Test("paths must be unique")
    func duplicatePath() {
        expectError(
            source() + source(name: "other"), code: .duplicate,
            containing: [#"source "other" (#2): path: "/hooks/stripe" is also the path of source "stripe""#])
    }

    @Test("paths start with '/' and carry no query", arguments: ["hooks/stripe", "/hooks/stripe?x=1", "/hooks/a b", "/hooks#x"])
    func invalidPath(path: String) {
        expectError(
            source(path: path), code: .invalidValue,
            containing: [#"source "stripe": path: expected an HTTP path starting with "/""#, "found \(String(reflecting: path))"])
    }

    @Test("path and scheme are required")
    func missingPathOrScheme() {
        expectError(source(path: nil), code: .missingKey, containing: [#"source "stripe": path: required key is missing"#])
        expectError(
            source(scheme: nil), code: .missingKey,
            containing: [#"source "stripe": scheme: required key is missing; expected one of "mercadopago""#])
    }

    @Test("an unknown scheme lists the valid ones")
    func unknownScheme() {
        expectError(
            source(scheme: "strpe"), code: .invalidValue,
            containing: [
                #"source "stripe": scheme: expected one of "mercadopago", "stripe", "standard-webhooks", "github", "shopify", "slack", "meta", "tiendanube", "hmac" or "none", found "strpe""#,
                #"did you mean "stripe"?"#,
            ])
    }

    @Test("every scheme name maps to its SchemeKind")
    func schemeNames() throws {
        for kind in SchemeKind.allCases where kind != .hmac && kind != .none {
            #expect(try loadSource(source(scheme: kind.rawValue)).scheme == kind)
        }
    }

    @Test("unknown keys in a source are refused with the valid ones")
    func unknownKey() {
        expectError(
            source(#"dedup_key = "message-id""#), code: .unknownKey,
            containing: [
                #"source "stripe": dedup_key: unknown key (did you mean "dedupe_key"?)"#,
                "valid keys here: name, path, scheme, secret, secrets, tolerance, dedupe_key, dedupe_window, allow_ips, hmac",
            ])
    }

    // MARK: secrets

    @Test("secret (one) and secrets (a list) are both accepted, not together")
    func secretForms() throws {
        #expect(try loadSource(source(secrets: #"secret = "env:A""#)).secrets == [.environment("A")])
        #expect(try loadSource(source(secrets: #"secrets = ["env:A", "credential:b"]"#)).secrets == [.environment("A"), .credential("b")])
        expectError(
            source(secrets: "secret = \"env:A\"\nsecrets = [\"env:B\"]"), code: .conflict,
            containing: [#"source "stripe": secret: write either secret (one) or secrets (a list), not both"#])
    }

    @Test("secrets are required unless the scheme is none")
    func secretsRequired() {
        expectError(
            source(secrets: nil), code: .missingKey,
            containing: [#"source "stripe": secrets: scheme "stripe" needs at least one secret"#])
        expectError(source(secrets: "secrets = []"), code: .missingKey, containing: [#"scheme "stripe" needs at least one secret"#])
    }

    @Test("a literal secret loads with a warning that does not show it")
    func literalWarning() throws {
        let loaded = try load(source(secrets: #"secrets = ["env:NEW", "s3cr3t-value"]"#))
        #expect(loaded.config.sources.first?.secrets == [.environment("NEW"), .literal("s3cr3t-value")])
        #expect(loaded.warnings.count == 1)
        let warning = try #require(loaded.warnings.first)
        #expect(warning.code == .inlineSecret)
        #expect(warning.message == #"pipeline.conf: source "stripe": secret #2 is written inline; prefer env:, file: or credential:"#)
        #expect(!warning.message.contains("s3cr3t"))
    }

    @Test("wrong-typed secrets are described by type only, never by value")
    func secretTypeErrorsHideValues() {
        let single = expectError(
            source(secrets: "secret = 123456789"), code: .wrongType,
            containing: [#"source "stripe": secret: expected a string, found an integer"#])
        #expect(single?.message.contains("123456789") == false)
        let listed = expectError(
            source(secrets: #"secrets = ["env:A", 987654321]"#), code: .wrongType,
            containing: ["secret #2: expected a string, found an integer"])
        #expect(listed?.message.contains("987654321") == false)
        let notList = expectError(
            source(secrets: "secrets = true"), code: .wrongType,
            containing: ["secrets: expected an array of strings", "found a boolean"])
        #expect(notList?.message.contains("true") == false)
    }

    @Test("malformed secret references are refused")
    func badReferences() {
        expectError(
            source(secrets: #"secret = "env:""#), code: .invalidValue,
            containing: [#"secret #1: expected an environment variable name after "env:""#])
        expectError(
            source(secrets: #"secret = "credential:../x""#), code: .invalidValue,
            containing: [#"secret #1: expected a credential name"#])
        expectError(source(secrets: #"secret = """#), code: .invalidValue, containing: ["secret #1: expected", "found an empty string"])
    }

    // MARK: tolerance, dedupe

    @Test("tolerance and dedupe_window are durations")
    func durations() throws {
        let loaded = try loadSource(source("tolerance = \"90s\"\ndedupe_window = \"1d\""))
        #expect(loaded.tolerance == .seconds(90))
        #expect(loaded.dedupeWindow == .seconds(86_400))
    }

    @Test("a bad dedupe_window says what was expected and found")
    func badDedupeWindow() {
        let error = expectError(
            source(#"dedupe_window = "3 days""#), code: .invalidValue,
            containing: [#"pipeline.conf: source "stripe": dedupe_window: expected a duration like "72h" or "7d""#, #"found "3 days""#])
        #expect(error?.message.hasSuffix(#"found "3 days""#) == true)
        expectError(
            source(#"tolerance = "0ms""#), code: .invalidValue,
            containing: [#"source "stripe": tolerance: expected a positive duration, found "0ms""#])
    }

    @Test("dedupe_key forms map to rules")
    func dedupeKeys() throws {
        #expect(try loadSource(source(#"dedupe_key = "header:X-Request-Id""#)).dedupeKey == .header("X-Request-Id"))
        #expect(try loadSource(source(#"dedupe_key = "query:data.id""#)).dedupeKey == .query("data.id"))
        #expect(try loadSource(source(#"dedupe_key = "message-id""#)).dedupeKey == .messageID)
    }

    @Test("bad dedupe_key syntax is refused")
    func badDedupeKeys() {
        expectError(
            source(#"dedupe_key = "jsn:/id""#), code: .invalidValue,
            containing: [#"source "stripe": dedupe_key: expected one of "header:NAME", "json:/pointer", "query:NAME", "message-id" or "body-sha256", found "jsn:/id""#])
        expectError(
            source(#"dedupe_key = "json:id""#), code: .invalidValue,
            containing: [#"dedupe_key: expected a JSON pointer starting with "/" after "json:", like "json:/id", found "json:id""#])
        expectError(source(#"dedupe_key = 5"#), code: .wrongType, containing: ["dedupe_key: expected a string, found the integer 5"])
    }

    // MARK: scheme none, allow_ips

    @Test("scheme none needs a non-empty allow_ips and takes no secrets")
    func schemeNone() throws {
        let loaded = try loadSource(source(scheme: "none", secrets: nil, #"allow_ips = ["192.168.0.0/16"]"#))
        #expect(loaded.scheme == .none)
        #expect(loaded.secrets.isEmpty)
        #expect(loaded.allowIPs == ["192.168.0.0/16"])
        expectError(
            source(scheme: "none", secrets: nil), code: .missingKey,
            containing: [#"source "stripe": allow_ips: scheme "none" checks no signature, so allow_ips must list who may post"#])
        expectError(source(scheme: "none", secrets: nil, "allow_ips = []"), code: .missingKey, containing: ["allow_ips: scheme \"none\""])
        expectError(
            source(scheme: "none", #"allow_ips = ["10.0.0.0/8"]"#), code: .conflict,
            containing: [#"source "stripe": secrets: scheme "none" checks no signature, so it takes no secrets"#])
    }

    @Test("allow_ips must be an array of non-empty strings")
    func allowIPsShape() {
        expectError(
            source(#"allow_ips = "10.0.0.0/8""#), code: .wrongType,
            containing: [#"allow_ips: expected an array of strings, like ["a", "b"], found the string "10.0.0.0/8""#])
        expectError(
            source(#"allow_ips = ["10.0.0.0/8", 10]"#), code: .wrongType,
            containing: ["allow_ips #2: expected a string, found the integer 10"])
        expectError(source(#"allow_ips = [""]"#), code: .invalidValue, containing: ["allow_ips #1: expected an address or CIDR"])
    }

    // MARK: [source.hmac]

    @Test("[source.hmac] is required for scheme hmac and refused for others")
    func hmacTablePresence() {
        expectError(
            source(scheme: "hmac"), code: .missingKey,
            containing: [#"source "stripe": hmac: scheme "hmac" needs a [source.hmac] table"#])
        expectError(
            source("[source.hmac]\nheader = \"X-Sig\""), code: .conflict,
            containing: [#"source "stripe": hmac: [source.hmac] is only for scheme "hmac"; this source's scheme is "stripe""#])
    }
}
