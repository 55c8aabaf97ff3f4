import Testing
@testable import HookpipeVerification

@Suite struct SignatureSchemesTests {
    let secrets = [Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]

    @Test func makesEverySchemeWithItsDefaults() throws {
        let hmac = GenericHMACSettings(header: "X-Signature")
        for kind in SchemeKind.allCases {
            let scheme = try SignatureSchemes.make(kind, secrets: secrets, tolerance: nil, hmac: kind == .hmac ? hmac : nil)
            #expect(scheme.name == kind.rawValue)
            #expect(scheme.tolerance == SignatureSchemes.defaultTolerance(for: kind, hmac: hmac), "\(kind)")
        }
    }

    @Test func defaultTolerancesAndDedupeKeys() throws {
        #expect(SignatureSchemes.defaultTolerance(for: .stripe) == .seconds(300))
        #expect(SignatureSchemes.defaultTolerance(for: .slack) == .seconds(300))
        #expect(SignatureSchemes.defaultTolerance(for: .standardWebhooks) == .seconds(300))
        #expect(SignatureSchemes.defaultTolerance(for: .mercadopago) == .seconds(5 * 86_400))
        #expect(SignatureSchemes.defaultTolerance(for: .github) == nil)
        #expect(SignatureSchemes.defaultTolerance(for: .hmac) == nil)
        #expect(SignatureSchemes.defaultTolerance(for: .hmac, hmac: GenericHMACSettings(header: "X-S", timestampHeader: "X-T")) == .seconds(300))

        let expected: [SchemeKind: DedupeKeyRule] = [
            .mercadopago: .jsonPointer("/id"), .stripe: .jsonPointer("/id"), .standardWebhooks: .messageID,
            .github: .messageID, .shopify: .messageID, .slack: .jsonPointer("/event_id"), .meta: .bodyHash,
            .tiendanube: .bodyHash, .hmac: .bodyHash, .none: .bodyHash,
        ]
        #expect(Set(expected.keys) == Set(SchemeKind.allCases))
        for (kind, rule) in expected {
            let scheme = try SignatureSchemes.make(kind, secrets: secrets, tolerance: nil,
                                                   hmac: kind == .hmac ? GenericHMACSettings(header: "X-S") : nil)
            #expect(scheme.defaultDedupeKey == rule, "\(kind)")
            #expect(SignatureSchemes.defaultDedupeKey(for: kind) == rule, "\(kind)")
        }
    }

    @Test func aConfiguredToleranceIsUsed() throws {
        let scheme = try SignatureSchemes.make(.mercadopago, secrets: secrets, tolerance: .seconds(300), hmac: nil)
        #expect(scheme.tolerance == .seconds(300))
    }

    @Test func setupErrors() {
        for kind in SchemeKind.allCases where kind != .none {
            expectSetupError(.noSecrets) {
                try SignatureSchemes.make(kind, secrets: [], tolerance: nil, hmac: kind == .hmac ? GenericHMACSettings(header: "X-S") : nil)
            }
        }
        expectSetupError(.emptySecret) { try SignatureSchemes.make(.github, secrets: [Secret("")], tolerance: nil, hmac: nil) }
        expectSetupError(.missingHMACSettings) { try SignatureSchemes.make(.hmac, secrets: secrets, tolerance: nil, hmac: nil) }
        expectSetupError(.unexpectedHMACSettings) {
            try SignatureSchemes.make(.stripe, secrets: secrets, tolerance: nil, hmac: GenericHMACSettings(header: "X-S"))
        }
        expectSetupError(.undecodableSecret) {
            try SignatureSchemes.make(.standardWebhooks, secrets: [Secret("whsec_***")], tolerance: nil, hmac: nil)
        }
        expectSetupError(.invalidTolerance) { try SignatureSchemes.make(.stripe, secrets: secrets, tolerance: .seconds(-1), hmac: nil) }
        expectSetupError(.toleranceNotApplicable) { try SignatureSchemes.make(.github, secrets: secrets, tolerance: .seconds(60), hmac: nil) }
        expectSetupError(.toleranceNotApplicable) { try SignatureSchemes.make(.none, secrets: [], tolerance: .seconds(60), hmac: nil) }
    }

    @Test func noneNeedsNoSecret() throws {
        #expect(try SignatureSchemes.make(.none, secrets: [], tolerance: nil, hmac: nil).name == "none")
    }

    @Test func setupErrorsNeverShowTheSecret() {
        do {
            _ = try SignatureSchemes.make(.standardWebhooks, secrets: [Secret("whsec_topsecret!value")], tolerance: nil, hmac: nil)
            Issue.record("accepted an undecodable secret")
        } catch {
            #expect(!"\(error)".contains("topsecret"))
        }
        #expect("\(Secret("hunter2"))" == "<secret redacted>")
    }
}

@Suite("Secret")
struct SecretRedactionTests {
    @Test("neither description, debugDescription nor dump shows the value")
    func redacted() {
        let secret = Secret("whsec_do_not_show")
        var dumped = ""
        dump(secret, to: &dumped)
        for text in [secret.description, secret.debugDescription, "\(secret)", String(reflecting: secret), dumped] {
            #expect(!text.contains("do_not_show"), "\(text)")
        }
    }
}
