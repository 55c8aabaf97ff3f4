import Testing
@testable import HookpipeVerification

@Suite struct StripeSchemeTests {
    // Stripe documents the scheme but publishes no fixed vector (its SDK tests
    // compute theirs). Computed independently with Python:
    // hmac.new(b"whsec_test_secret", b'1700000000.{"id":"evt_1","object":"event"}', hashlib.sha256).hexdigest()
    // (the whole whsec_ string is the key, not decoded).
    static let secret = "whsec_test_secret"
    static let oldSecret = "whsec_old_secret"
    static let body = #"{"id":"evt_1","object":"event"}"#
    static let t = 1_700_000_000.0
    static let v1 = "0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd"
    static let v1Old = "921476aa6febf6d11353fcee45246000c9edf7b3938ae2d09a2d6ea5cb98d9db"
    let now = unix(t + 10)

    func scheme(_ secrets: [String] = [secret], tolerance: Duration = .seconds(300)) throws -> StripeScheme {
        try StripeScheme(secrets: secrets.map(Secret.init), tolerance: tolerance)
    }

    func request(_ value: String, headerName: String = "Stripe-Signature", body: String = body) -> WebhookRequest {
        makeRequest([(headerName, value)], body: body)
    }

    @Test func verifiesAnIndependentlyComputedSignature() throws {
        let verification = expectVerified(try scheme().verify(request("t=1700000000,v1=\(Self.v1)"), now: now))
        #expect(verification?.scheme == "stripe")
        #expect(verification?.signedFields == ["timestamp", "body"])
        #expect(verification?.bodySigned == true)
        #expect(verification?.timestamp == unix(Self.t))
        #expect(verification?.messageID == nil)
        #expect(verification?.secretIndex == 0)
        #expect(try scheme().defaultDedupeKey == .jsonPointer("/id"))
        #expect(try scheme().tolerance == .seconds(300))
    }

    @Test func headerNameIgnoresCase() throws {
        expectVerified(try scheme().verify(request("t=1700000000,v1=\(Self.v1)", headerName: "stripe-signature"), now: now))
    }

    @Test(arguments: [
        "t=1700000000,v1=\(v1)",
        "v1=\(v1),t=1700000000",                                   // any order
        " t=1700000000 , v1=\(v1) ",                               // blanks around parts
        "t=1700000000,v1=\(v1Old),v1=\(v1)",                       // several v1, the second matches
        "t=1700000000,v1=\(v1),v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39", // v0 ignored
        "t=1700000000,v1=\(v1),v2=anything",                       // unknown scheme ignored
    ])
    func acceptsWellFormedVariants(_ value: String) throws {
        expectVerified(try scheme().verify(request(value), now: now))
    }

    @Test func signThenVerifyRoundTrips() throws {
        let signed = try scheme().sign(body: Array(Self.body.utf8), query: [], now: unix(Self.t))
        #expect(header("Stripe-Signature", of: signed) == "t=1700000000,v1=\(Self.v1)")
        expectVerified(try scheme().verify(makeRequest(signed), now: now))
    }

    @Test func rotationReportsTheOldSecret() throws {
        let verification = expectVerified(try scheme(["whsec_new", Self.oldSecret]).verify(request("t=1700000000,v1=\(Self.v1Old)"), now: now))
        #expect(verification?.secretIndex == 1)
    }

    @Test func wrongSecretAlteredBodyOrAlteredTimestamp() throws {
        expectFailure(try scheme(["whsec_other"]).verify(request("t=1700000000,v1=\(Self.v1)"), now: now), .signatureMismatch,
                      notMentioning: ["whsec_other", Self.secret], [Self.v1])
        expectFailure(try scheme().verify(request("t=1700000000,v1=\(Self.v1)", body: Self.body + " "), now: now), .signatureMismatch)
        expectFailure(try scheme().verify(request("t=1700000001,v1=\(Self.v1)"), now: unix(Self.t)), .signatureMismatch)
    }

    @Test func staleAndFutureTimestampsAreRefusedSeparately() throws {
        let value = "t=1700000000,v1=\(Self.v1)"
        expectVerified(try scheme().verify(request(value), now: unix(Self.t + 300)))
        expectVerified(try scheme().verify(request(value), now: unix(Self.t - 300)))
        expectFailure(try scheme().verify(request(value), now: unix(Self.t + 301)), .timestampTooOld)
        expectFailure(try scheme().verify(request(value), now: unix(Self.t - 301)), .timestampInFuture)
        expectVerified(try scheme(tolerance: .seconds(3600)).verify(request(value), now: unix(Self.t + 3000)))
    }

    @Test func missingHeader() throws {
        expectFailure(try scheme().verify(makeRequest([("Stripe-Signatures", "t=1")], body: Self.body), now: now), .missingHeader)
    }

    @Test(arguments: [
        "",                                       // empty value
        "   ",                                    // blanks only
        "t=abc,v1=\(v1)",                         // ts=abc
        "t=,v1=\(v1)",                            // empty t
        "t=-1700000000,v1=\(v1)",                 // sign
        "t=1700000000.5,v1=\(v1)",                // fraction
        "t=99999999999999999999999,v1=\(v1)",     // overflows 64 bits
        "v1=\(v1)",                               // no t
        "t=1700000000",                           // no v1
        "t=1700000000,v0=\(v1)",                  // only v0
        "t=1700000000,V1=\(v1)",                  // wrong case of the key
        "T=1700000000,v1=\(v1)",                  // wrong case of the key
        "t=1700000000,t=1700000000,v1=\(v1)",     // t twice
        "t=1700000000,,v1=\(v1)",                 // doubled comma
        "t=1700000000,v1=\(v1),",                 // trailing comma
        ",t=1700000000,v1=\(v1)",                 // leading comma
        "t=1700000000,v1",                        // part without '='
        "t=1700000000,v1=",                       // empty v1
        "t=1700000000,=\(v1)",                    // empty key
        "t=1700000000,v1=\(v1.dropLast(2))",      // short digest
        "t=1700000000,v1=\(v1)00",                // long digest
        "t=1700000000,v1=\(v1.dropLast())g",      // not hex
        "t=1700000000,v1=\(v1),v1=nothex",        // one bad v1 among good ones
        "t=1700000000;v1=\(v1)",                  // wrong separator
    ])
    func malformedHeadersAreRefused(_ value: String) throws {
        expectFailure(try scheme().verify(request(value), now: now), .malformedHeader, notMentioning: [Self.secret], [Self.v1])
    }
}
