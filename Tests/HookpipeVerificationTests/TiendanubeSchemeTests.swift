import Testing
@testable import HookpipeVerification

@Suite struct TiendanubeSchemeTests {
    // Tiendanube's webhook documentation verifies with PHP's
    // hash_hmac('sha256', $data, APP_SECRET) — lower-case hex — using the secret
    // 'secret' and this example content, but publishes no digest. Computed
    // independently with Python: hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    static let secret = "secret"
    static let body = #"{"store_id":123,"event":"product/created","id":1948209}"#
    static let signature = "24422bada660dd9816d9653d07c1c71da850d2ba231ed6158e7f40e186bf990e"
    let now = unix(1_700_000_000)

    func scheme(_ secrets: [String] = [secret]) throws -> TiendanubeScheme {
        try TiendanubeScheme(secrets: secrets.map(Secret.init))
    }

    @Test func verifiesTheDocumentationExample() throws {
        let verification = expectVerified(try scheme().verify(makeRequest([("x-linkedstore-hmac-sha256", Self.signature)], body: Self.body), now: now))
        #expect(verification?.scheme == "tiendanube")
        #expect(verification?.signedFields == ["body"])
        #expect(try scheme().defaultDedupeKey == .bodyHash)
    }

    @Test func headerNamesIgnoreCase() throws {
        expectVerified(try scheme().verify(makeRequest([("X-Linkedstore-HMAC-SHA256", Self.signature)], body: Self.body), now: now))
    }

    @Test func signThenVerifyRoundTrips() throws {
        let signed = try scheme().sign(body: Array(Self.body.utf8), query: [], now: now)
        #expect(header("x-linkedstore-hmac-sha256", of: signed) == Self.signature)
        expectVerified(try scheme().verify(makeRequest(signed), now: now))
    }

    @Test func rotationAndWrongSecret() throws {
        let request = makeRequest([("x-linkedstore-hmac-sha256", Self.signature)], body: Self.body)
        #expect(expectVerified(try scheme(["next", Self.secret]).verify(request, now: now))?.secretIndex == 1)
        expectFailure(try scheme(["next"]).verify(request, now: now), .signatureMismatch, notMentioning: ["next"], [Self.signature])
    }

    @Test(arguments: ["", "JEIrraZg3ZgW2WU9B8HHHahQ0rojHtYVjn9A4Ya/mQ4=", "sha256=24422bada660dd9816d9653d07c1c71da850d2ba231ed6158e7f40e186bf990e",
                      "24422bada660dd98", "24422bada660dd9816d9653d07c1c71da850d2ba231ed6158e7f40e186bf990g"])
    func malformedSignatureHeaders(_ value: String) throws {
        expectFailure(try scheme().verify(makeRequest([("x-linkedstore-hmac-sha256", value)], body: Self.body), now: now), .malformedHeader)
    }

    @Test func missingSignatureHeader() throws {
        expectFailure(try scheme().verify(makeRequest([], body: Self.body), now: now), .missingHeader)
    }
}
