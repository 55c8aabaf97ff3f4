// Fuzzes every signature scheme's `verify` with arbitrary headers, query and
// body, through the public `SignatureSchemes.make` (so the real header
// parsers: key=value lists, prefixed hex/base64 digests, signature lists,
// timestamps).
//
// Input (see Fuzz/Corpus/FuzzSignatureHeaders/):
//
//     stripe                      <- scheme name (unknown: picked from the input's hash)
//     Stripe-Signature: t=…,v1=…  <- header lines `Name: value`
//     ?data.id=123                <- query parameters
//                                 <- empty line
//     {"id":"evt_1"}              <- body, the rest
//
// Checked, beyond "never traps": a failure's message never contains a
// secret; what `sign` produces for the fuzzed body and query verifies, with
// the first secret; and changing a signed body makes it fail.
import FuzzSupport
import HookpipeVerification

import struct Foundation.Date

enum Harness: FuzzHarness {
    /// The receiver's clock; seeds use timestamps near it.
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Each scheme with two secrets (rotation: the second is the older one).
    static let schemes: [(name: String, scheme: any SignatureScheme, secrets: [String])] = {
        func make(_ name: String, _ kind: SchemeKind, _ secrets: [String], hmac: GenericHMACSettings? = nil)
            -> (String, any SignatureScheme, [String]) {
            do {
                let scheme = try SignatureSchemes.make(kind, secrets: secrets.map(Secret.init), tolerance: nil, hmac: hmac)
                return (name, scheme, secrets)
            } catch {
                fatalError("harness setup: \(name): \(error)")
            }
        }
        return [
            make("mercadopago", .mercadopago, ["mp-fuzz-secret-current", "mp-fuzz-secret-previous"]),
            make("stripe", .stripe, ["whsec_fuzzStripeCurrentSecret0001", "whsec_fuzzStripePreviousSecret002"]),
            make("standard-webhooks", .standardWebhooks,
                 ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25kLXN0YW5kYXJkLXdlYmhvb2tzLWtleQ=="]),
            make("github", .github, ["gh-fuzz-secret-current", "gh-fuzz-secret-previous"]),
            make("shopify", .shopify, ["shpss_fuzzCurrentSecret", "shpss_fuzzPreviousSecret"]),
            make("slack", .slack, ["slack-fuzz-signing-current", "slack-fuzz-signing-previous"]),
            make("meta", .meta, ["meta-fuzz-app-secret-current", "meta-fuzz-app-secret-previous"]),
            make("tiendanube", .tiendanube, ["tn-fuzz-app-secret-current", "tn-fuzz-app-secret-previous"]),
            make("hmac", .hmac, ["hmac-fuzz-secret-current", "hmac-fuzz-secret-previous"],
                 hmac: GenericHMACSettings(header: "X-Signature", prefix: "sha256=", timestampHeader: "X-Timestamp")),
            make("hmac-sha1-base64", .hmac, ["hmac1-fuzz-secret-current", "hmac1-fuzz-secret-previous"],
                 hmac: GenericHMACSettings(header: "X-Hook-Signature", algorithm: .sha1, encoding: .base64)),
            make("hmac-sha512", .hmac, ["hmac512-fuzz-secret-current", "hmac512-fuzz-secret-previous"],
                 hmac: GenericHMACSettings(header: "X-Signature-512", algorithm: .sha512, prefix: "v1=")),
            make("none", .none, []),
        ]
    }()

    /// The request described by `input`, and the scheme it is for.
    static func parse(_ input: FuzzInput) -> (scheme: Int, request: WebhookRequest) {
        let bytes = input.bytes
        var lines: [ArraySlice<UInt8>] = []
        var position = bytes.startIndex
        var bodyStart = bytes.endIndex
        while position < bytes.endIndex {
            let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let line = bytes[position..<end]
            position = min(end + 1, bytes.endIndex)
            if line.isEmpty && !lines.isEmpty {
                bodyStart = position
                break
            }
            lines.append(line)
        }
        let name = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let scheme = schemes.firstIndex { $0.name == name } ?? Int(input.seed % UInt64(schemes.count))
        var headers = HeaderFields()
        var query: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("?") {
                let pair = text.dropFirst().split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((String(pair[0]), pair.count > 1 ? String(pair[1]) : ""))
            } else if let colon = text.firstIndex(of: ":") {
                headers.add(name: String(text[..<colon]), value: String(text[text.index(after: colon)...].drop { $0 == " " }))
            } else {
                headers.add(name: text, value: "")
            }
        }
        return (scheme, WebhookRequest(headers: headers, query: query, body: Array(bytes[bodyStart...])))
    }

    static func check(_ input: FuzzInput) {
        let (index, request) = parse(input)
        let (name, scheme, secrets) = schemes[index]

        if case .failure(let failure) = scheme.verify(request, now: now) {
            for secret in secrets where failure.message.contains(secret) {
                fatalError("\(name): a failure message contains secret \(secret): \(failure.message)")
            }
        }

        // What the scheme signs for this body and query verifies with the first secret…
        let signed = scheme.sign(body: request.body, query: request.query, now: now)
        let resigned = WebhookRequest(headers: HeaderFields(signed.headers), query: signed.query, body: signed.body)
        switch scheme.verify(resigned, now: now) {
        case .success(let verification):
            if !secrets.isEmpty, verification.secretIndex != 0 {
                fatalError("\(name): signed with the first secret, verified with #\(verification.secretIndex ?? -1)")
            }
            // …and no longer once the body changes, when the body is signed.
            if verification.bodySigned {
                let tampered = WebhookRequest(headers: resigned.headers, query: resigned.query, body: resigned.body + [0x20])
                if case .success = scheme.verify(tampered, now: now) {
                    fatalError("\(name): a changed body still verifies")
                }
            }
        case .failure(let failure):
            fatalError("\(name): its own signature does not verify: \(failure)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Harness.check(FuzzInput(data, size))
    return 0
}

#if !HOOKPIPE_FUZZING
@main extension Harness {}  // replays files; libFuzzer has its own main
#endif
