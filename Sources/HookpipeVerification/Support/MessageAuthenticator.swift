import Crypto

/// The hash functions HMAC is used with.
enum DigestAlgorithm: Sendable {
    case sha1, sha256, sha512

    /// Digest length in bytes; a received signature of another length is malformed.
    var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }
}

/// One HMAC key, ready to authenticate messages given in parts (so that
/// `<timestamp>.<body>` is hashed without copying the body).
///
/// The key is absorbed once, here: each message starts from a copy of the
/// keyed state instead of hashing the padded key again (two compression
/// rounds saved per message and key).
struct MessageAuthenticator: Sendable {
    let algorithm: DigestAlgorithm
    /// An existential rather than an enum of the three HMAC types: LeakSanitizer
    /// cannot follow references a multi-payload enum stores with tag bits, and
    /// the fuzzers run with leak checking on.
    private let keyed: any KeyedHMAC

    init(algorithm: DigestAlgorithm, key: [UInt8]) {
        self.algorithm = algorithm
        let key = SymmetricKey(data: key)
        switch algorithm {
        case .sha1: keyed = HMAC<Insecure.SHA1>(key: key)
        case .sha256: keyed = HMAC<SHA256>(key: key)
        case .sha512: keyed = HMAC<SHA512>(key: key)
        }
    }

    /// HMAC of the concatenation of `parts`.
    func code(_ parts: [UInt8]...) -> [UInt8] { code(parts: parts) }

    /// HMAC of the concatenation of `parts`.
    func code(parts: [[UInt8]]) -> [UInt8] {
        keyed.authenticate(parts)
    }
}

/// An HMAC whose key is already absorbed.
private protocol KeyedHMAC: Sendable {
    /// The code of the concatenation of `parts`, from a copy of this keyed state.
    func authenticate(_ parts: [[UInt8]]) -> [UInt8]
}

extension HMAC: KeyedHMAC {
    fileprivate func authenticate(_ parts: [[UInt8]]) -> [UInt8] {
        var hmac = self
        for part in parts { hmac.update(data: part) }
        // Through the raw bytes: `Array(code)` goes through the generic
        // Sequence initialiser, unspecialised across modules (1.7 % of the
        // receiver's CPU at c=64 for 32 bytes).
        return hmac.finalize().withUnsafeBytes { Array($0) }
    }
}

/// The configured secrets of one scheme, each turned into a key, tried in order.
struct KeyRing: Sendable {
    let authenticators: [MessageAuthenticator]

    /// Keys from the UTF-8 bytes of each secret (Stripe, GitHub, Slack, …).
    init(algorithm: DigestAlgorithm, secrets: [Secret]) {
        authenticators = secrets.map { MessageAuthenticator(algorithm: algorithm, key: Array($0.value.utf8)) }
    }

    /// Keys given as raw bytes (Standard Webhooks, whose secrets are base64).
    init(algorithm: DigestAlgorithm, keys: [[UInt8]]) {
        authenticators = keys.map { MessageAuthenticator(algorithm: algorithm, key: $0) }
    }

    /// The key used by `sign`: the first configured one.
    var signing: MessageAuthenticator { authenticators[0] }

    /// The index of the first key under which the message made of `parts` has
    /// one of `candidates` as its HMAC, comparing in constant time.
    ///
    /// Every candidate is compared against every key (rotation: an old secret
    /// later in the list still verifies and reports its index).
    func firstMatch(parts: [[UInt8]], candidates: [[UInt8]]) -> Int? {
        for (index, authenticator) in authenticators.enumerated() {
            let expected = authenticator.code(parts: parts)
            var matched = false
            for candidate in candidates where constantTimeEquals(candidate, expected) {
                matched = true
            }
            if matched { return index }
        }
        return nil
    }
}
