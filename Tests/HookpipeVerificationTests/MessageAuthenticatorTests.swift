import Crypto
import Testing
@testable import HookpipeVerification

/// `MessageAuthenticator` builds HMAC from swift-crypto's hash functions; its
/// codes must be swift-crypto's `HMAC` codes, byte for byte.
@Suite struct MessageAuthenticatorTests {
    /// RFC 2202 / RFC 4231 test case 2, and RFC 4231 test case 6 (a key longer than the block).
    @Test("the RFC test vectors", arguments: [
        (DigestAlgorithm.sha1, Array("Jefe".utf8), "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (.sha256, Array("Jefe".utf8), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (.sha512, Array("Jefe".utf8), "what do ya want for nothing?",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
        (.sha256, [UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func vectors(algorithm: DigestAlgorithm, key: [UInt8], message: String, expected: String) {
        let code = MessageAuthenticator(algorithm: algorithm, key: key).code(Array(message.utf8))
        #expect(Hex.encode(code) == expected)
    }

    /// Keys around each hash's block length (64 bytes for SHA-1 and SHA-256,
    /// 128 for SHA-512), messages split into parts anywhere, empty parts included.
    @Test("codes equal swift-crypto's HMAC for keys around the block length and any split of the message",
          arguments: [DigestAlgorithm.sha1, .sha256, .sha512])
    func matchesCryptoHMAC(algorithm: DigestAlgorithm) {
        var generator = SystemRandomNumberGenerator()
        let message = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for keyLength in [0, 1, 20, 32, 63, 64, 65, 127, 128, 129, 200] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Self.reference(algorithm, key: key, message: message)
            let authenticator = MessageAuthenticator(algorithm: algorithm, key: key)
            #expect(authenticator.code(message) == expected, "key of \(keyLength) bytes, one part")
            for split in [0, 1, 64, 150, 300] {
                let parts = [Array(message[..<split]), [], Array(message[split...])]
                #expect(authenticator.code(parts: parts) == expected, "key of \(keyLength) bytes, split at \(split)")
            }
            // The keyed states are copied, never consumed: the same code again.
            #expect(authenticator.code(message) == expected)
            #expect(authenticator.code([UInt8]()) == Self.reference(algorithm, key: key, message: []))
        }
    }

    private static func reference(_ algorithm: DigestAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch algorithm {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
    }
}
