@testable import HookpipeReceiver
import HookpipeVerification
import Testing

/// How the envelope names the request's headers, and which it leaves out.
@Suite struct EnvelopeHeaderTests {
    @Test func namesAreLowerCasedInASCIIOnly() {
        #expect("Content-Type".asciiLowercased == "content-type")
        #expect("X-SHOPIFY-HMAC-SHA256".asciiLowercased == "x-shopify-hmac-sha256")
        #expect("already-lower".asciiLowercased == "already-lower")
        #expect("X-Café-ÜBER".asciiLowercased == "x-café-Über")
        #expect("".asciiLowercased == "")
    }

    @Test(arguments: ["authorization", "proxy-authorization", "cookie", "stripe-signature", "x-signature",
                      "x-hub-signature-256", "x-shopify-hmac-sha256", "x-gitlab-token", "token", "webhook-signature"])
    func credentialsAndSignaturesAreLeftOut(_ name: String) {
        #expect(Ingest.isRedacted(name))
    }

    @Test(arguments: ["content-type", "host", "user-agent", "x-github-event", "authorizations", "cookies-policy",
                      "x-request-id", "signatur", "tokn", "x-hma-c", ""])
    func otherHeadersAreKept(_ name: String) {
        #expect(!Ingest.isRedacted(name))
    }
}
