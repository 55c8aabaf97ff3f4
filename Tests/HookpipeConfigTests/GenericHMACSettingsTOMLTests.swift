import HookpipeVerification
import Testing

@testable import HookpipeConfig

@Suite("[source.hmac]")
struct GenericHMACSettingsTOMLTests {
    private func file(_ hmac: String) -> String {
        """
        [[source]]
        name = "internal"
        path = "/hooks/internal"
        scheme = "hmac"
        secret = "env:INTERNAL_SECRET"

        [source.hmac]
        \(hmac)
        """
    }

    @Test("only header is required; the rest defaults")
    func defaults() throws {
        let hmac = try #require(try loadSource(file(#"header = "X-Signature""#)).hmac)
        #expect(hmac == GenericHMACSettings(header: "X-Signature", algorithm: .sha256, encoding: .hex, prefix: "", timestampHeader: nil))
    }

    @Test("an inline table works too")
    func inlineTable() throws {
        let toml = """
            [[source]]
            name = "internal"
            path = "/hooks/internal"
            scheme = "hmac"
            secret = "env:INTERNAL_SECRET"
            hmac = { header = "X-Sig", algorithm = "sha1" }
            """
        #expect(try loadSource(toml).hmac == GenericHMACSettings(header: "X-Sig", algorithm: .sha1))
    }

    @Test("a missing header is named with its path")
    func missingHeader() {
        expectError(
            file(#"algorithm = "sha1""#), code: .missingKey,
            containing: [#"source "internal": hmac.header: required key is missing; expected a header name like "X-Signature""#])
    }

    @Test("header names must be HTTP tokens")
    func badHeader() {
        expectError(
            file(#"header = "X Signature""#), code: .invalidValue,
            containing: [#"hmac.header: expected a header name like "X-Signature", found "X Signature""#])
        expectError(
            file("header = \"X-Sig\"\ntimestamp_header = \"\""), code: .invalidValue,
            containing: ["hmac.timestamp_header:", "found an empty string"])
    }

    @Test("algorithm and encoding list their valid values")
    func badChoices() {
        expectError(
            file("header = \"X-Sig\"\nalgorithm = \"md5\""), code: .invalidValue,
            containing: [#"hmac.algorithm: expected one of "sha1", "sha256" or "sha512", found "md5""#])
        expectError(
            file("header = \"X-Sig\"\nencoding = \"base32\""), code: .invalidValue,
            containing: [#"hmac.encoding: expected one of "hex" or "base64", found "base32""#])
    }

    @Test("unknown keys are refused")
    func unknownKey() {
        expectError(
            file("header = \"X-Sig\"\nalgo = \"sha1\""), code: .unknownKey,
            containing: [
                #"source "internal": hmac.algo: unknown key (did you mean "algorithm"?)"#,
                "valid keys here: header, algorithm, encoding, prefix, timestamp_header",
            ])
    }
}
