import Testing
@testable import HookpipeVerification

@Suite struct GenericHMACSchemeTests {
    // Computed independently with Python:
    // hmac.new(b"gen", b'{"a":1}', hashlib.sha1).hexdigest()
    static let sha1Hex = "bf21696f44084b0948b32a7bb6c6264e15a617af"
    // base64.b64encode(hmac.new(b"gen", b'1700000000.{"a":1}', hashlib.sha512).digest())
    static let sha512Base64WithTimestamp = "zJSKepQ4XIckuwasCmlnJDblXMNhRV7o4zKgLqvI+HKQqVOK/1rXQ+u4bYKk5tg5ZVaeDdVsoRH9q5qMa/H8kA=="
    static let body = #"{"a":1}"#
    let now = unix(1_700_000_000 + 5)

    static let sha1Settings = GenericHMACSettings(header: "X-Signature", algorithm: .sha1, encoding: .hex, prefix: "sha1=")
    static let timedSettings = GenericHMACSettings(header: "X-Sig", algorithm: .sha512, encoding: .base64, timestampHeader: "X-Sig-Time")

    @Test func sha1HexWithPrefix() throws {
        let scheme = try GenericHMACScheme(settings: Self.sha1Settings, secrets: [Secret("gen")])
        let verification = expectVerified(scheme.verify(makeRequest([("x-signature", "sha1=\(Self.sha1Hex)")], body: Self.body), now: now))
        #expect(verification?.scheme == "hmac")
        #expect(verification?.signedFields == ["body"])
        #expect(verification?.timestamp == nil)
        #expect(scheme.tolerance == nil)
        #expect(scheme.defaultDedupeKey == .bodyHash)
    }

    @Test func sha512Base64WithTimestamp() throws {
        let scheme = try GenericHMACScheme(settings: Self.timedSettings, secrets: [Secret("gen")])
        let request = makeRequest([("X-Sig", Self.sha512Base64WithTimestamp), ("X-Sig-Time", "1700000000")], body: Self.body)
        let verification = expectVerified(scheme.verify(request, now: now))
        #expect(verification?.signedFields == ["timestamp", "body"])
        #expect(verification?.timestamp == unix(1_700_000_000))
        #expect(scheme.tolerance == .seconds(300))
        expectFailure(scheme.verify(request, now: unix(1_700_000_301)), .timestampTooOld)
        expectFailure(scheme.verify(request, now: unix(1_699_999_699)), .timestampInFuture)
        expectFailure(scheme.verify(makeRequest([("X-Sig", Self.sha512Base64WithTimestamp)], body: Self.body), now: now), .missingHeader)
        expectFailure(scheme.verify(makeRequest([("X-Sig", Self.sha512Base64WithTimestamp), ("X-Sig-Time", "17e8")], body: Self.body), now: now),
                      .malformedHeader)
        let longer = try GenericHMACScheme(settings: Self.timedSettings, secrets: [Secret("gen")], tolerance: .seconds(3600))
        expectVerified(longer.verify(request, now: unix(1_700_003_000)))
    }

    @Test(arguments: [GenericHMACSettings.Algorithm.sha1, .sha256, .sha512], [GenericHMACSettings.Encoding.hex, .base64])
    func everyCombinationRoundTrips(_ algorithm: GenericHMACSettings.Algorithm, _ encoding: GenericHMACSettings.Encoding) throws {
        for timestampHeader in [nil, "X-Timestamp"] {
            let settings = GenericHMACSettings(header: "X-Hook-Signature", algorithm: algorithm, encoding: encoding,
                                               prefix: "v=", timestampHeader: timestampHeader)
            let scheme = try GenericHMACScheme(settings: settings, secrets: [Secret("k1"), Secret("k0")])
            let signed = scheme.sign(body: Array(Self.body.utf8), query: [], now: now)
            #expect(expectVerified(scheme.verify(makeRequest(signed), now: now))?.secretIndex == 0)
            let rotated = try GenericHMACScheme(settings: settings, secrets: [Secret("k2"), Secret("k1")])
            #expect(expectVerified(rotated.verify(makeRequest(signed), now: now))?.secretIndex == 1)
            let other = try GenericHMACScheme(settings: settings, secrets: [Secret("k2")])
            expectFailure(other.verify(makeRequest(signed), now: now), .signatureMismatch, notMentioning: ["k1", "k2"])
        }
    }

    @Test(arguments: ["", "bf21696f44084b0948b32a7bb6c6264e15a617af", "SHA1=bf21696f44084b0948b32a7bb6c6264e15a617af",
                      "sha1=bf21696f", "sha1=zf21696f44084b0948b32a7bb6c6264e15a617af",
                      "sha1=bf21696f44084b0948b32a7bb6c6264e15a617afbf21696f44084b0948b32a7bb6c6264e15a617af"])
    func malformedSignatures(_ value: String) throws {
        let scheme = try GenericHMACScheme(settings: Self.sha1Settings, secrets: [Secret("gen")])
        expectFailure(scheme.verify(makeRequest([("X-Signature", value)], body: Self.body), now: now), .malformedHeader,
                      notMentioning: ["gen"], [Self.sha1Hex])
    }

    @Test func setupErrors() {
        expectSetupError(.noSecrets) { try GenericHMACScheme(settings: Self.sha1Settings, secrets: []) }
        expectSetupError(.emptySecret) { try GenericHMACScheme(settings: Self.sha1Settings, secrets: [Secret("a"), Secret("")]) }
        expectSetupError(.invalidHMACSettings) { try GenericHMACScheme(settings: GenericHMACSettings(header: ""), secrets: [Secret("a")]) }
        expectSetupError(.invalidHMACSettings) {
            try GenericHMACScheme(settings: GenericHMACSettings(header: "X Sig"), secrets: [Secret("a")])
        }
        expectSetupError(.invalidHMACSettings) {
            try GenericHMACScheme(settings: GenericHMACSettings(header: "X-Sig", timestampHeader: ""), secrets: [Secret("a")])
        }
        expectSetupError(.toleranceNotApplicable) {
            try GenericHMACScheme(settings: Self.sha1Settings, secrets: [Secret("a")], tolerance: .seconds(60))
        }
        expectSetupError(.invalidTolerance) {
            try GenericHMACScheme(settings: Self.timedSettings, secrets: [Secret("a")], tolerance: .zero)
        }
    }
}
