import Testing
@testable import HookpipeVerification

@Suite struct GitHubSchemeTests {
    // docs.github.com, "Validating webhook deliveries": this secret and payload
    // give this signature.
    static let docsSecret = "It's a Secret to Everybody"
    static let docsBody = "Hello, World!"
    static let docsSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    let now = unix(1_700_000_000)

    func scheme(_ secrets: [String] = [docsSecret]) throws -> GitHubScheme {
        try GitHubScheme(secrets: secrets.map(Secret.init))
    }

    @Test func verifiesGitHubsDocumentedExample() throws {
        let request = makeRequest([("X-Hub-Signature-256", Self.docsSignature), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")],
                                  body: Self.docsBody)
        let verification = try #require(expectVerified(try scheme().verify(request, now: now)))
        #expect(verification.scheme == "github")
        #expect(verification.bodySigned)
        #expect(verification.signedFields == ["body"])
        #expect(verification.messageID == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        #expect(verification.secretIndex == 0)
        #expect(verification.timestamp == nil)
    }

    @Test func headerNamesIgnoreCase() throws {
        let request = makeRequest([("x-hub-signature-256", Self.docsSignature), ("x-github-delivery", "d1")], body: Self.docsBody)
        #expect(expectVerified(try scheme().verify(request, now: now))?.messageID == "d1")
    }

    @Test func signThenVerifyRoundTrips() throws {
        let scheme = try scheme(["s3cret"])
        let signed = scheme.sign(body: Array(#"{"zen":"Keep it logically awesome."}"#.utf8), query: [], now: now)
        let verification = expectVerified(scheme.verify(makeRequest(signed), now: now))
        #expect(verification?.messageID == header("X-GitHub-Delivery", of: signed))
        #expect(header("X-Hub-Signature-256", of: signed)?.hasPrefix("sha256=") == true)
    }

    @Test func rotationReportsTheMatchingSecret() throws {
        let request = makeRequest([("X-Hub-Signature-256", Self.docsSignature)], body: Self.docsBody)
        let verification = expectVerified(try scheme(["new-secret", Self.docsSecret]).verify(request, now: now))
        #expect(verification?.secretIndex == 1)
        #expect(verification?.messageID == nil)
    }

    @Test func wrongSecretOrAlteredBodyIsAMismatch() throws {
        let request = makeRequest([("X-Hub-Signature-256", Self.docsSignature)], body: Self.docsBody)
        expectFailure(try scheme(["wrong"]).verify(request, now: now), .signatureMismatch,
                      notMentioning: ["wrong", Self.docsSecret], [String(Self.docsSignature.dropFirst(7))])
        let altered = makeRequest([("X-Hub-Signature-256", Self.docsSignature)], body: "Hello, World?")
        expectFailure(try scheme().verify(altered, now: now), .signatureMismatch)
    }

    @Test func missingSignatureHeader() throws {
        expectFailure(try scheme().verify(makeRequest([("X-Hub-Signature", "sha1=x")], body: Self.docsBody), now: now), .missingHeader)
    }

    @Test(arguments: [
        "",                                                                             // empty value
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",             // no prefix
        "SHA256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",      // prefix in the wrong case
        "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",        // wrong prefix
        "sha256=",                                                                      // prefix only
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",       // odd length
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e",        // too short
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1700",    // too long
        "sha256=z57107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",      // not hex
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17,",     // trailing comma
    ])
    func malformedSignatureHeaders(_ value: String) throws {
        let request = makeRequest([("X-Hub-Signature-256", value)], body: Self.docsBody)
        expectFailure(try scheme().verify(request, now: now), .malformedHeader,
                      notMentioning: [Self.docsSecret], ["757107ea0eb2509fc211221cce984b8a"])
    }

    @Test func upperCaseHexDigitsAreTheSameDigest() throws {
        let request = makeRequest([("X-Hub-Signature-256", "sha256=" + Self.docsSignature.dropFirst(7).uppercased())], body: Self.docsBody)
        expectVerified(try scheme().verify(request, now: now))
    }
}
