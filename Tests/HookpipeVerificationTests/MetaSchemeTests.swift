import Testing
@testable import HookpipeVerification

@Suite struct MetaSchemeTests {
    // Meta publishes no test vector; computed independently with Python:
    // hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    static let secret = "app-secret"
    static let body = #"{"object":"whatsapp_business_account","entry":[]}"#
    static let signature = "sha256=d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f"
    let now = unix(1_700_000_000)

    func scheme(_ secrets: [String] = [secret]) throws -> MetaScheme {
        try MetaScheme(secrets: secrets.map(Secret.init))
    }

    @Test func verifiesAnIndependentlyComputedSignature() throws {
        let verification = expectVerified(try scheme().verify(makeRequest([("X-Hub-Signature-256", Self.signature)], body: Self.body), now: now))
        #expect(verification?.scheme == "meta")
        #expect(verification?.signedFields == ["body"])
        #expect(verification?.bodySigned == true)
        #expect(verification?.messageID == nil)
        #expect(try scheme().defaultDedupeKey == .bodyHash)
    }

    @Test func headerNamesIgnoreCase() throws {
        expectVerified(try scheme().verify(makeRequest([("x-hub-signature-256", Self.signature)], body: Self.body), now: now))
    }

    @Test func signThenVerifyRoundTrips() throws {
        let signed = try scheme().sign(body: Array(Self.body.utf8), query: [], now: now)
        #expect(header("X-Hub-Signature-256", of: signed) == Self.signature)
        expectVerified(try scheme().verify(makeRequest(signed), now: now))
    }

    @Test func rotationAndWrongSecret() throws {
        let request = makeRequest([("X-Hub-Signature-256", Self.signature)], body: Self.body)
        #expect(expectVerified(try scheme(["rotated", Self.secret]).verify(request, now: now))?.secretIndex == 1)
        expectFailure(try scheme(["rotated"]).verify(request, now: now), .signatureMismatch, notMentioning: ["rotated"], [Self.signature])
    }

    @Test(arguments: ["", "sha256", "Sha256=d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f",
                      "sha256=d3e4f9da", "sha256=not-hex-at-all-but-the-right-length-xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])
    func malformedSignatureHeaders(_ value: String) throws {
        expectFailure(try scheme().verify(makeRequest([("X-Hub-Signature-256", value)], body: Self.body), now: now), .malformedHeader)
    }

    @Test func missingSignatureHeader() throws {
        expectFailure(try scheme().verify(makeRequest([], body: Self.body), now: now), .missingHeader)
    }
}
