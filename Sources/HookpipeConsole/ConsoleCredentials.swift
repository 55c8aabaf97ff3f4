import Crypto
import Foundation

/// The console's credentials, from `[admin] console_auth`: `user:password`
/// for basic authentication, or a token (sent as `Authorization: Bearer`,
/// or as the password of basic authentication with any user name, so that a
/// browser's login prompt works too).
///
/// Comparisons are of HMAC digests under a key made at start, in time that
/// depends on neither the secret nor the attempt.
struct ConsoleCredentials: Sendable {
    private let user: String?
    private let digest: [UInt8]
    private let key: SymmetricKey

    init(secret: String) {
        key = SymmetricKey(size: .bits256)
        if let colon = secret.firstIndex(of: ":") {
            user = String(secret[..<colon])
            digest = Self.mac(Array(secret[secret.index(after: colon)...].utf8), key: key)
        } else {
            user = nil
            digest = Self.mac(Array(secret.utf8), key: key)
        }
    }

    /// Who `authorization` (the header's value) authenticates, or `nil`.
    func verify(authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        let value = parts[1].trimmingCharacters(in: .whitespaces)
        if scheme == "bearer", user == nil {
            return matches(password: Array(value.utf8)) ? "token" : nil
        }
        guard scheme == "basic", value.utf8.count <= 1024, let decoded = Data(base64Encoded: value),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        let name = String(text[..<colon])
        let password = Array(text[text.index(after: colon)...].utf8)
        // Both checks always run: the answer's time does not tell which failed.
        let userOK = user.map { Self.equal(Self.mac(Array($0.utf8), key: key), Self.mac(Array(name.utf8), key: key)) } ?? true
        let passwordOK = matches(password: password)
        guard userOK, passwordOK else { return nil }
        return user ?? (name.isEmpty ? "token" : String(name.prefix(64)))
    }

    private func matches(password: [UInt8]) -> Bool {
        Self.equal(Self.mac(password, key: key), digest)
    }

    private static func mac(_ bytes: [UInt8], key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }

    /// Equal-length digests, every byte visited.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// Tokens against cross-site request forgery: each browser gets a random
/// session cookie, and each form carries HMAC(key, session) under a key made
/// at start. A page on another site can make the browser post to the
/// console, with the cookie, but cannot read the token to put in the form.
struct CSRFGuard: Sendable {
    static let cookie = "hookpipe_console"
    private let key = SymmetricKey(size: .bits256)

    /// A new session id: 128 random bits, hex.
    static func newSession() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(to: 16) }.joined()
    }

    func token(session: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(session.utf8), using: key).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    func isValid(token: String?, session: String?) -> Bool {
        guard let token, let session, Self.isSessionShaped(session) else { return false }
        return ConsoleCredentials.equal(Array(token.utf8), Array(self.token(session: session).utf8))
    }

    /// The session id in a `Cookie` header, if it has the shape this console makes.
    static func session(cookieHeader: String?) -> String? {
        guard let cookieHeader else { return nil }
        for pair in cookieHeader.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookie {
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                return isSessionShaped(value) ? value : nil
            }
        }
        return nil
    }

    static func isSessionShaped(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
