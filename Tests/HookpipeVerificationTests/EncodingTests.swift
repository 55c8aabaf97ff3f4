import Testing
@testable import HookpipeVerification

@Suite struct EncodingTests {
    @Test func hexRoundTripsAndAcceptsBothCases() {
        let bytes: [UInt8] = [0x00, 0x7f, 0x80, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "007f80abff")
        #expect(Hex.decode("007f80abff") == bytes)
        #expect(Hex.decode("007F80ABFF") == bytes)
    }

    @Test(arguments: ["", "a", "abc", "zz", "0g", " 00", "00 ", "+0", "é0"])
    func hexRefusesNonHex(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func base64MatchesRFC4648Vectors() {
        // RFC 4648 §10.
        let vectors = [("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func base64AcceptsMissingPadding() {
        #expect(Base64.decode("Zg") == Array("f".utf8))
        #expect(Base64.decode("Zm8") == Array("fo".utf8))
    }

    @Test(arguments: ["", "=", "Z", "Zg=", "Zg===", "Zm9v=", "Zm=9", "Zm9v Yg==", "Zm9v\n", "Zm9-", "Zm9_", "Zg==Zg=="])
    func base64RefusesMalformedInput(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func constantTimeEqualsComparesEveryByte() {
        let a: [UInt8] = [1, 2, 3, 4]
        #expect(constantTimeEquals(a, [1, 2, 3, 4]))
        #expect(!constantTimeEquals(a, [0, 2, 3, 4]))  // first byte differs
        #expect(!constantTimeEquals(a, [1, 2, 3, 5]))  // last byte differs
        #expect(!constantTimeEquals(a, [1, 2, 3]))
        #expect(!constantTimeEquals(a, []))
        #expect(constantTimeEquals([], []))
    }

    @Test func timestampsRefuseAnythingButDigitsAndOverflow() {
        #expect(SignedTimestamp(seconds: "1700000000")?.seconds == 1_700_000_000)
        #expect(SignedTimestamp(seconds: "0")?.seconds == 0)
        for bad in ["", "abc", "-1", "+1", "1.5", " 1", "1e9", "99999999999999999999", "١٢٣"] {
            #expect(SignedTimestamp(seconds: Substring(bad)) == nil, "\(bad)")
        }
        #expect(SignedTimestamp(secondsOrMilliseconds: "1742505638683")?.seconds == 1_742_505_638.683)
        #expect(SignedTimestamp(secondsOrMilliseconds: "1742505638")?.seconds == 1_742_505_638)
    }
}
