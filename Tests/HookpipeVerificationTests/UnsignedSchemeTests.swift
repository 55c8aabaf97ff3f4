import Testing
@testable import HookpipeVerification

@Suite struct UnsignedSchemeTests {
    @Test func everythingVerifiesWithNothingSigned() {
        let scheme = UnsignedScheme()
        let request = makeRequest([("X-Anything", "x")], query: [("topic", "orders_v2")], body: #"{"_id":"abc","attempts":1}"#)
        let verification = expectVerified(scheme.verify(request, now: unix(0)))
        #expect(verification?.scheme == "none")
        #expect(verification?.bodySigned == false)
        #expect(verification?.signedFields == [])
        #expect(verification?.secretIndex == nil)
        #expect(scheme.tolerance == nil)
        expectVerified(scheme.verify(makeRequest([], body: ""), now: unix(0)))
    }

    @Test func signLeavesTheRequestAsItIs() {
        let signed = UnsignedScheme().sign(body: [1, 2, 3], query: [("a", "b")], now: unix(0))
        #expect(signed.headers.isEmpty)
        #expect(signed.body == [1, 2, 3])
        #expect(signed.query.map(\.value) == ["b"])
    }
}
