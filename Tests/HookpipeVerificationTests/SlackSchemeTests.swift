import Testing
@testable import HookpipeVerification

@Suite struct SlackSchemeTests {
    // The worked example in Slack's "Verifying requests from Slack".
    static let docsSecret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let docsTimestamp = "1531420618"
    static let docsBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    static let docsSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    let now = unix(1_531_420_618 + 60)

    func scheme(_ secrets: [String] = [docsSecret]) throws -> SlackScheme {
        try SlackScheme(secrets: secrets.map(Secret.init))
    }

    func request(signature: String = docsSignature, timestamp: String = docsTimestamp, body: String = docsBody) -> WebhookRequest {
        makeRequest([("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", signature)], body: body)
    }

    @Test func verifiesSlacksDocumentedExample() throws {
        let verification = expectVerified(try scheme().verify(request(), now: now))
        #expect(verification?.scheme == "slack")
        #expect(verification?.signedFields == ["timestamp", "body"])
        #expect(verification?.timestamp == unix(1_531_420_618))
        #expect(try scheme().defaultDedupeKey == .jsonPointer("/event_id"))
    }

    @Test func signReproducesTheExample() throws {
        let signed = try scheme().sign(body: Array(Self.docsBody.utf8), query: [], now: unix(1_531_420_618.9))
        #expect(header("X-Slack-Request-Timestamp", of: signed) == Self.docsTimestamp)
        #expect(header("X-Slack-Signature", of: signed) == Self.docsSignature)
        expectVerified(try scheme().verify(makeRequest(signed), now: now))
    }

    @Test func headerNamesIgnoreCase() throws {
        let request = makeRequest([("x-slack-request-timestamp", Self.docsTimestamp), ("x-slack-signature", Self.docsSignature)], body: Self.docsBody)
        expectVerified(try scheme().verify(request, now: now))
    }

    @Test func rotationAndWrongSecret() throws {
        #expect(expectVerified(try scheme(["new-signing-secret", Self.docsSecret]).verify(request(), now: now))?.secretIndex == 1)
        expectFailure(try scheme(["new-signing-secret"]).verify(request(), now: now), .signatureMismatch,
                      notMentioning: ["new-signing-secret"], [String(Self.docsSignature.dropFirst(3))])
    }

    @Test func staleAndFutureTimestamps() throws {
        let signedAt = 1_531_420_618.0
        expectFailure(try scheme().verify(request(), now: unix(signedAt + 301)), .timestampTooOld)
        expectFailure(try scheme().verify(request(), now: unix(signedAt - 301)), .timestampInFuture)
        expectVerified(try scheme().verify(request(), now: unix(signedAt - 299)))
    }

    @Test func alteredTimestampIsAMismatch() throws {
        expectFailure(try scheme().verify(request(timestamp: "1531420619"), now: now), .signatureMismatch)
    }

    @Test func missingHeaders() throws {
        expectFailure(try scheme().verify(makeRequest([("X-Slack-Request-Timestamp", Self.docsTimestamp)], body: Self.docsBody), now: now), .missingHeader)
        expectFailure(try scheme().verify(makeRequest([("X-Slack-Signature", Self.docsSignature)], body: Self.docsBody), now: now), .missingHeader)
    }

    @Test(arguments: ["", "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                      "V0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                      "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                      "v0=", "v0=a2114d57", "v0=x2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"])
    func malformedSignatures(_ value: String) throws {
        expectFailure(try scheme().verify(request(signature: value), now: now), .malformedHeader)
    }

    @Test(arguments: ["", "abc", "1531420618.0", "-1531420618", "99999999999999999999999"])
    func malformedTimestamps(_ value: String) throws {
        expectFailure(try scheme().verify(request(timestamp: value), now: now), .malformedHeader)
    }
}
