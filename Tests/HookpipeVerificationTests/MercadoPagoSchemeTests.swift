import Testing
@testable import HookpipeVerification

@Suite struct MercadoPagoSchemeTests {
    // MercadoPago's documentation shows only a header example without its
    // inputs. These values are those of the official SDKs' validator tests
    // (secret, x-request-id, an Orders API data.id, ts in milliseconds); the
    // digests were computed independently with Python:
    // hmac.new(secret, b"id:<data.id>;request-id:<x-request-id>;ts:<ts>;", hashlib.sha256).hexdigest()
    static let secret = "your_secret_key_here"
    static let requestID = "2066ca19-c6f1-498a-be75-1923005edd06"
    static let dataID = "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"
    static let tsMillis = "1742505638683"
    /// Manifest with data.id as received.
    static let v1Original = "fb15ae6472eb449173c556793205d77787d58f384d183bb5bc3b724c27bd103c"
    /// Manifest with data.id lower-cased (the older documented rule).
    static let v1Lowered = "633f91233312dd391ec75fa0bea539cfc2d6c4918873305b84a96cc1c58db71c"
    /// `id:123456;request-id:<requestID>;ts:1704908010;` (ts in seconds).
    static let v1Seconds = "6cdd4bd7138e90f51355e5af2c56d4348e7c99930a476f7490baa3459a07db0f"
    /// `ts:1704908010;` alone.
    static let v1TimestampOnly = "a85cce0f61742409b757e34e57c6368d3b9e6057b39550158d77dc7ea037806c"

    let nowMillis = unix(1_742_505_638.683 + 60)
    let nowSeconds = unix(1_704_908_010 + 60)

    func scheme(_ secrets: [String] = [secret], tolerance: Duration = MercadoPagoScheme.defaultTolerance) throws -> MercadoPagoScheme {
        try MercadoPagoScheme(secrets: secrets.map(Secret.init), tolerance: tolerance)
    }

    func request(signature: String, requestID: String? = requestID, dataID: String? = dataID, headerName: String = "x-signature") -> WebhookRequest {
        var headers = [(headerName, signature)]
        if let requestID { headers.append(("x-request-id", requestID)) }
        var query = [("type", "order")]
        if let dataID { query.append(("data.id", dataID)) }
        return makeRequest(headers, query: query, body: #"{"id":"12345","type":"order","data":{"id":"ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"}}"#)
    }

    @Test func verifiesWithTheOriginalCasingOfDataID() throws {
        let verification = expectVerified(try scheme().verify(request(signature: "ts=\(Self.tsMillis),v1=\(Self.v1Original)"), now: nowMillis))
        #expect(verification?.scheme == "mercadopago")
        #expect(verification?.bodySigned == false)
        #expect(verification?.signedFields == ["data.id", "x-request-id", "ts"])
        #expect(verification?.timestamp == unix(1_742_505_638.683))
        #expect(verification?.secretIndex == 0)
        #expect(try scheme().defaultDedupeKey == .jsonPointer("/id"))
    }

    @Test func fallsBackToTheLowerCasedDataID() throws {
        expectVerified(try scheme().verify(request(signature: "ts=\(Self.tsMillis),v1=\(Self.v1Lowered)"), now: nowMillis))
    }

    @Test func timestampInSecondsAndPartsLeftOut() throws {
        let withIDs = request(signature: "ts=1704908010,v1=\(Self.v1Seconds)", dataID: "123456")
        #expect(expectVerified(try scheme().verify(withIDs, now: nowSeconds))?.timestamp == unix(1_704_908_010))
        let bare = request(signature: "ts=1704908010,v1=\(Self.v1TimestampOnly)", requestID: nil, dataID: nil)
        #expect(expectVerified(try scheme().verify(bare, now: nowSeconds))?.signedFields == ["ts"])
        // An empty data.id or x-request-id counts as absent, as in the SDKs.
        let empty = request(signature: "ts=1704908010,v1=\(Self.v1TimestampOnly)", requestID: " ", dataID: "")
        #expect(expectVerified(try scheme().verify(empty, now: nowSeconds))?.signedFields == ["ts"])
    }

    @Test func secondsAndMillisecondsAreToldApartByMagnitude() throws {
        let narrow = try scheme(tolerance: .seconds(300))
        // 1742505638683 read as seconds would be ~55,000 years ahead; as ms it is 60 s ago.
        expectVerified(narrow.verify(request(signature: "ts=\(Self.tsMillis),v1=\(Self.v1Original)"), now: nowMillis))
        expectFailure(narrow.verify(request(signature: "ts=\(Self.tsMillis),v1=\(Self.v1Original)"), now: unix(1_742_505_638.683 + 301)),
                      .timestampTooOld)
        expectFailure(narrow.verify(request(signature: "ts=1704908010,v1=\(Self.v1Seconds)", dataID: "123456"), now: unix(1_704_908_010 - 301)),
                      .timestampInFuture)
    }

    @Test(arguments: [
        "ts=1742505638683,v1=\(v1Original)",
        "v1=\(v1Original),ts=1742505638683",                 // any order
        " ts=1742505638683 ,  v1=\(v1Original) ",            // blanks around parts
        "ts = 1742505638683, v1 = \(v1Original)",            // blanks around '='
        "ts=1742505638683,v1=\(v1Lowered),v1=\(v1Original)", // several v1
        "ts=1742505638683,v1=\(v1Original),v2=future",       // unknown versions ignored
    ])
    func acceptsWellFormedVariants(_ value: String) throws {
        expectVerified(try scheme().verify(request(signature: value), now: nowMillis))
    }

    @Test func headerNamesIgnoreCase() throws {
        let request = makeRequest([("X-Signature", "ts=\(Self.tsMillis),v1=\(Self.v1Original)"), ("X-Request-Id", Self.requestID)],
                                  query: [("data.id", Self.dataID)], body: "{}")
        expectVerified(try scheme().verify(request, now: nowMillis))
    }

    @Test func queryParameterNameIsExact() throws {
        // "Data.Id" is not data.id, so the manifest lacks the id and the signature does not match.
        let request = makeRequest([("x-signature", "ts=\(Self.tsMillis),v1=\(Self.v1Original)"), ("x-request-id", Self.requestID)],
                                  query: [("Data.Id", Self.dataID)], body: "{}")
        expectFailure(try scheme().verify(request, now: nowMillis), .signatureMismatch)
    }

    @Test func signThenVerifyRoundTrips() throws {
        let now = unix(1_742_505_000)
        let signed = try scheme().sign(body: Array(#"{"id":1}"#.utf8), query: [("data.id", "PAY-123Ab"), ("type", "payment")], now: now)
        let requestID = try #require(header("x-request-id", of: signed))
        #expect(requestID.count == 36)
        #expect(header("x-signature", of: signed)?.hasPrefix("ts=1742505000,v1=") == true)
        #expect(signed.query.map(\.name) == ["data.id", "type"])
        let verification = expectVerified(try scheme().verify(makeRequest(signed), now: now))
        #expect(verification?.signedFields == ["data.id", "x-request-id", "ts"])
    }

    @Test func rotationReportsTheOldSecret() throws {
        let request = request(signature: "ts=\(Self.tsMillis),v1=\(Self.v1Original)")
        #expect(expectVerified(try scheme(["reset-secret", Self.secret]).verify(request, now: nowMillis))?.secretIndex == 1)
    }

    @Test func wrongSecretOrAlteredFieldsAreAMismatch() throws {
        let signature = "ts=\(Self.tsMillis),v1=\(Self.v1Original)"
        expectFailure(try scheme(["reset-secret"]).verify(request(signature: signature), now: nowMillis), .signatureMismatch,
                      notMentioning: ["reset-secret", Self.secret], [Self.v1Original])
        expectFailure(try scheme().verify(request(signature: signature, requestID: "other"), now: nowMillis), .signatureMismatch)
        expectFailure(try scheme().verify(request(signature: signature, dataID: "ORD0"), now: nowMillis), .signatureMismatch)
        expectFailure(try scheme().verify(request(signature: "ts=1742505638684,v1=\(Self.v1Original)"), now: nowMillis), .signatureMismatch)
    }

    @Test func missingSignatureHeader() throws {
        expectFailure(try scheme().verify(request(signature: "x", headerName: "x-signature-missing"), now: nowMillis), .missingHeader)
    }

    @Test(arguments: [
        "",
        "ts=abc,v1=\(v1Original)",
        "ts=,v1=\(v1Original)",
        "ts=1742505638683.5,v1=\(v1Original)",
        "ts=-1742505638683,v1=\(v1Original)",
        "ts=184467440737095516160,v1=\(v1Original)",          // overflows 64 bits
        "v1=\(v1Original)",                                   // no ts
        "ts=1742505638683",                                   // no v1
        "ts=1742505638683,ts=1742505638683,v1=\(v1Original)", // ts twice
        "TS=1742505638683,v1=\(v1Original)",                  // wrong case
        "ts=1742505638683,V1=\(v1Original)",                  // wrong case
        "ts=1742505638683,,v1=\(v1Original)",                 // extra comma
        "ts=1742505638683,v1=\(v1Original),",                 // trailing comma
        "ts=1742505638683,v1",                                // no '='
        "ts=1742505638683,v1=",                               // empty value
        "ts=1742505638683,v1=\(v1Original.dropLast(4))",      // short digest
        "ts=1742505638683,v1=\(v1Original.dropLast())x",      // not hex
        "ts=1742505638683 v1=\(v1Original)",                  // wrong separator
    ])
    func malformedHeadersAreRefused(_ value: String) throws {
        expectFailure(try scheme().verify(request(signature: value), now: nowMillis), .malformedHeader,
                      notMentioning: [Self.secret], [Self.v1Original])
    }
}
