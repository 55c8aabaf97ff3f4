import Testing
@testable import HookpipeVerification

@Suite struct StandardWebhooksSchemeTests {
    // The test vector of the Standard Webhooks specification and libraries.
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp = "1614265330"
    static let body = #"{"test": 2432232314}"#
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    /// Another valid secret (base64 of "a-rotated-key-of-32-bytes-long!!").
    static let otherSecret = "whsec_YS1yb3RhdGVkLWtleS1vZi0zMi1ieXRlcy1sb25nISE="
    let now = unix(1_614_265_330 + 30)

    func scheme(_ secrets: [String] = [secret]) throws -> StandardWebhooksScheme {
        try StandardWebhooksScheme(secrets: secrets.map(Secret.init))
    }

    func request(prefix: String = "webhook", id: String = id, timestamp: String = timestamp, signature: String = signature,
                 body: String = body) -> WebhookRequest {
        makeRequest([("\(prefix)-id", id), ("\(prefix)-timestamp", timestamp), ("\(prefix)-signature", signature)], body: body)
    }

    @Test func verifiesTheSpecificationTestVector() throws {
        let verification = expectVerified(try scheme().verify(request(), now: now))
        #expect(verification?.scheme == "standard-webhooks")
        #expect(verification?.messageID == Self.id)
        #expect(verification?.signedFields == ["id", "timestamp", "body"])
        #expect(verification?.timestamp == unix(1_614_265_330))
        #expect(try scheme().defaultDedupeKey == .messageID)
    }

    @Test func acceptsSvixHeadersAndAnyCase() throws {
        expectVerified(try scheme().verify(request(prefix: "svix"), now: now))
        expectVerified(try scheme().verify(request(prefix: "Webhook"), now: now))
        expectVerified(try scheme().verify(request(prefix: "SVIX"), now: now))
    }

    @Test func aSecretWithoutPrefixIsDecodedWhole() throws {
        expectVerified(try scheme(["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]).verify(request(), now: now))
    }

    @Test(arguments: [
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", // any entry
        "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", // v1a ignored
        "v2,anything v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "  v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=  ",
    ])
    func acceptsSignatureLists(_ value: String) throws {
        expectVerified(try scheme().verify(request(signature: value), now: now))
    }

    @Test func signThenVerifyRoundTrips() throws {
        let signed = try scheme().sign(body: Array(Self.body.utf8), query: [], now: now)
        let id = try #require(header("webhook-id", of: signed))
        #expect(id.hasPrefix("msg_"))
        #expect(header("webhook-timestamp", of: signed) == "1614265360")
        #expect(header("webhook-signature", of: signed)?.hasPrefix("v1,") == true)
        #expect(expectVerified(try scheme().verify(makeRequest(signed), now: now))?.messageID == id)
    }

    @Test func rotationReportsTheOldSecret() throws {
        #expect(expectVerified(try scheme([Self.otherSecret, Self.secret]).verify(request(), now: now))?.secretIndex == 1)
    }

    @Test func wrongSecretOrAlteredContentIsAMismatch() throws {
        expectFailure(try scheme([Self.otherSecret]).verify(request(), now: now), .signatureMismatch,
                      notMentioning: [Self.otherSecret, "YS1yb3RhdGVk"], ["g0hM9SsE"])
        expectFailure(try scheme().verify(request(id: "msg_other"), now: now), .signatureMismatch)
        expectFailure(try scheme().verify(request(body: #"{"test": 2432232315}"#), now: now), .signatureMismatch)
        expectFailure(try scheme().verify(request(timestamp: "1614265331"), now: now), .signatureMismatch)
    }

    @Test func staleAndFutureTimestamps() throws {
        let signedAt = 1_614_265_330.0
        expectFailure(try scheme().verify(request(), now: unix(signedAt + 301)), .timestampTooOld)
        expectFailure(try scheme().verify(request(), now: unix(signedAt - 301)), .timestampInFuture)
    }

    @Test func missingHeaders() throws {
        let all = [("webhook-id", Self.id), ("webhook-timestamp", Self.timestamp), ("webhook-signature", Self.signature)]
        for left in all.indices {
            var headers = all
            headers.remove(at: left)
            expectFailure(try scheme().verify(makeRequest(headers, body: Self.body), now: now), .missingHeader)
        }
        // Families are not mixed: a webhook-signature with svix-id and svix-timestamp lacks webhook-id.
        let mixed = makeRequest([("svix-id", Self.id), ("svix-timestamp", Self.timestamp), ("webhook-signature", Self.signature)], body: Self.body)
        expectFailure(try scheme().verify(mixed, now: now), .missingHeader)
    }

    @Test(arguments: [
        "",
        "v1",                                                    // no comma
        ",g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",          // no version
        "v1,",                                                   // empty signature
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==",       // wrong padding
        "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",       // URL-safe alphabet
        "v1,g0hM9SsE+OTPJTGt",                                   // too short
        "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",       // wrong case of the version: no v1 left
        "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",      // only other versions
        "v1=g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",       // '=' instead of ','
    ])
    func malformedSignatureHeaders(_ value: String) throws {
        expectFailure(try scheme().verify(request(signature: value), now: now), .malformedHeader)
    }

    @Test(arguments: ["abc", "1614265330.0", "-1", "99999999999999999999999", " "])
    func malformedTimestamps(_ value: String) throws {
        let result = try scheme().verify(request(timestamp: value), now: now)
        expectFailure(result, .malformedHeader)
    }

    @Test func undecodableSecretsAreSetupErrors() {
        expectSetupError(.undecodableSecret) { try StandardWebhooksScheme(secrets: [Secret("whsec_not base64!")]) }
        expectSetupError(.undecodableSecret) { try StandardWebhooksScheme(secrets: [Secret(Self.secret), Secret("whsec_")]) }
        expectSetupError(.noSecrets) { try StandardWebhooksScheme(secrets: []) }
    }
}
