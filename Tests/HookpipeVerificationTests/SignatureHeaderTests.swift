import Testing
@testable import HookpipeVerification

/// `key=value` list headers (Stripe, MercadoPago) read byte-wise: the parts,
/// keys and values as slices of one copy of the header, never trapping.
@Suite struct SignatureHeaderTests {
    func pairs(_ value: String) -> [(String, String)]? {
        guard case .success(let list) = SignatureHeader.keyValueList(Substring(value), header: "X-Sig") else { return nil }
        return list.map { (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }
    }

    func failure(_ value: String) -> String? {
        guard case .failure(let failure) = SignatureHeader.keyValueList(Substring(value), header: "X-Sig") else { return nil }
        #expect(failure.code == .malformedHeader)
        return failure.message
    }

    @Test func splitsPartsAndTrimsSpacesAndTabsAroundPartsKeysAndValues() throws {
        let parsed = try #require(pairs(" t = 17 ,\tv1=ab\t, v1 =cd,x=é ü"))
        #expect(parsed.map(\.0) == ["t", "v1", "v1", "x"])
        #expect(parsed.map(\.1) == ["17", "ab", "cd", "é ü"])
    }

    @Test func aValueKeepsEveryEqualsSignAfterTheFirst() throws {
        #expect(try #require(pairs("k=a=b==")).map(\.1) == ["a=b=="])
    }

    @Test(arguments: [
        ("", "X-Sig has an empty part (extra comma)"),
        ("a=1,", "X-Sig has an empty part (extra comma)"),
        (",a=1", "X-Sig has an empty part (extra comma)"),
        ("a=1, \t ,b=2", "X-Sig has an empty part (extra comma)"),
        ("a=1,b", "X-Sig has a part without '='"),
        ("a=1, =2", "X-Sig has a part with an empty key or value"),
        ("a= \t", "X-Sig has a part with an empty key or value"),
    ])
    func refusesMalformedLists(_ value: String, _ message: String) {
        #expect(failure(value) == message)
    }

    @Test func singleFindsExactlyOneValueAndComparesKeysByteForByte() throws {
        let list = try SignatureHeader.keyValueList(" t=17,v1=ab,T=18,v1=cd", header: "X-Sig").get()
        #expect(try SignatureHeader.single("t", in: list, header: "X-Sig").get() == "17")
        guard case .failure(let twice) = SignatureHeader.single("v1", in: list, header: "X-Sig"),
              case .failure(let absent) = SignatureHeader.single("ts", in: list, header: "X-Sig") else {
            Issue.record("a doubled or absent key was taken")
            return
        }
        #expect(twice.message == "X-Sig has more than one 'v1' part")
        #expect(absent.message == "X-Sig has no 'ts' part")
    }

    @Test func hexDigestsDecodesEveryPartUnderTheKeyAndRefusesABadOne() throws {
        let a = String(repeating: "ab", count: 32), b = String(repeating: "0F", count: 32)
        let list = try SignatureHeader.keyValueList(Substring("t=1,v1=\(a),v0=zz,v1=\(b)"), header: "X-Sig").get()
        let digests = try SignatureHeader.hexDigests("v1", in: list, algorithm: .sha256, header: "X-Sig").get()
        #expect(digests == [[UInt8](repeating: 0xab, count: 32), [UInt8](repeating: 0x0f, count: 32)])

        let bad = try SignatureHeader.keyValueList(Substring("v1=\(a),v1=\(a.dropLast(2))"), header: "X-Sig").get()
        guard case .failure(let short) = SignatureHeader.hexDigests("v1", in: bad, algorithm: .sha256, header: "X-Sig") else {
            Issue.record("a short digest was taken")
            return
        }
        #expect(short.message == "X-Sig has a 'v1' part that is not a hex digest")
    }

    @Test func hexDecodesASliceThatStartsInsideItsArray() {
        let bytes = Array("xx0aFfyy".utf8)
        #expect(Hex.decode(bytes[2..<6]) == [0x0a, 0xff])
        #expect(Hex.decode(bytes[1..<5]) == nil)  // "x0aF": not hex
        #expect(Hex.decode(bytes[2..<5]) == nil)  // odd length
        #expect(Hex.decode(bytes[2..<2]) == nil)  // empty
    }

    @Test func headerNamesMatchInEitherCaseButOnlyLetters() {
        #expect("Stripe-Signature".caseInsensitiveASCIIEquals("stripe-SIGNATURE"))
        #expect(!"Stripe-Signature".caseInsensitiveASCIIEquals("Stripe-Signatur"))
        // 0x5B '[' and 0x7B '{' differ by the case bit, as do '@' and '`': not letters.
        #expect(!"x[".caseInsensitiveASCIIEquals("x{"))
        #expect(!"@".caseInsensitiveASCIIEquals("`"))
        #expect("é-Ü".caseInsensitiveASCIIEquals("é-Ü"))
        #expect(!"é".caseInsensitiveASCIIEquals("É"))
    }
}
