import Testing
@testable import HookpipeVerification

@Suite struct ShopifySchemeTests {
    // Shopify's documentation shows the algorithm but no fixed vector; computed
    // independently with Python: base64.b64encode(hmac.new(b"hush", b'{"id":1}', hashlib.sha256).digest())
    static let secret = "hush"
    static let body = #"{"id":1}"#
    static let signature = "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="
    let now = unix(1_700_000_000)

    func scheme(_ secrets: [String] = [secret]) throws -> ShopifyScheme {
        try ShopifyScheme(secrets: secrets.map(Secret.init))
    }

    @Test func verifiesAnIndependentlyComputedSignature() throws {
        let request = makeRequest([("X-Shopify-Hmac-Sha256", Self.signature), ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")],
                                  body: Self.body)
        let verification = expectVerified(try scheme().verify(request, now: now))
        #expect(verification?.scheme == "shopify")
        #expect(verification?.messageID == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        #expect(verification?.signedFields == ["body"])
        #expect(try scheme().defaultDedupeKey == .messageID)
    }

    @Test func headerNamesIgnoreCase() throws {
        let request = makeRequest([("X-SHOPIFY-HMAC-SHA256", Self.signature), ("x-shopify-webhook-id", "w1")], body: Self.body)
        #expect(expectVerified(try scheme().verify(request, now: now))?.messageID == "w1")
    }

    @Test func signThenVerifyRoundTrips() throws {
        let signed = try scheme().sign(body: Array(Self.body.utf8), query: [], now: now)
        #expect(header("X-Shopify-Hmac-Sha256", of: signed) == Self.signature)
        #expect(header("X-Shopify-Webhook-Id", of: signed) != nil)
        expectVerified(try scheme().verify(makeRequest(signed), now: now))
    }

    @Test func rotationAndWrongSecret() throws {
        let request = makeRequest([("X-Shopify-Hmac-Sha256", Self.signature)], body: Self.body)
        #expect(expectVerified(try scheme(["new", Self.secret]).verify(request, now: now))?.secretIndex == 1)
        expectFailure(try scheme(["new"]).verify(request, now: now), .signatureMismatch, notMentioning: ["new"], [Self.signature])
    }

    @Test(arguments: [
        "",                                                   // empty
        "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSe==",       // wrong padding
        "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1_GSeY=",       // URL-safe alphabet
        "VnKUjZsLuN5iZWjn",                                   // too short
        "sha256=VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=", // unexpected prefix
        "5672948d9b0bb8de626568e7e449ed70154217d90c378dcb825cc2135fc649e6", // the digest in hex, not base64
    ])
    func malformedSignatureHeaders(_ value: String) throws {
        expectFailure(try scheme().verify(makeRequest([("X-Shopify-Hmac-Sha256", value)], body: Self.body), now: now), .malformedHeader)
    }

    @Test func unpaddedBase64OfTheRightDigestVerifies() throws {
        let request = makeRequest([("X-Shopify-Hmac-Sha256", String(Self.signature.dropLast()))], body: Self.body)
        expectVerified(try scheme().verify(request, now: now))
    }

    @Test func missingSignatureHeader() throws {
        expectFailure(try scheme().verify(makeRequest([("X-Shopify-Webhook-Id", "w1")], body: Self.body), now: now), .missingHeader)
    }
}
