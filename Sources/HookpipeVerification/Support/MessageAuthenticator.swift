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
/// HMAC (RFC 2104) built from swift-crypto's hash functions through their
/// non-generic `update(bufferPointer:)`: swift-crypto's own `HMAC.update` is
/// generic over `DataProtocol` and not inlinable, so every call from here ran
/// unspecialised and looked up generic metadata at run time, four times the
/// cost of the hash itself (`docs/BENCHMARK-FINDINGS.md`, finding 21). The
/// padded key is absorbed once, here: each message starts from a copy of the
/// keyed inner and outer states. Tests hold the codes equal to `Crypto.HMAC`'s.
struct MessageAuthenticator: Sendable {
    let algorithm: DigestAlgorithm
    /// An existential rather than an enum of the three keyed states: LeakSanitizer
    /// cannot follow references a multi-payload enum stores with tag bits, and
    /// the fuzzers run with leak checking on.
    private let keyed: any KeyedHMAC

    init(algorithm: DigestAlgorithm, key: [UInt8]) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha1: keyed = PrecomputedHMAC<Insecure.SHA1>(key: key)
        case .sha256: keyed = PrecomputedHMAC<SHA256>(key: key)
        case .sha512: keyed = PrecomputedHMAC<SHA512>(key: key)
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

/// `H((K ^ opad) || H((K ^ ipad) || message))`, with both keyed prefixes hashed once.
private struct PrecomputedHMAC<H: HashFunction>: KeyedHMAC {
    /// The hash state after `K ^ ipad`.
    private let inner: H
    /// The hash state after `K ^ opad`.
    private let outer: H

    /// A key longer than the hash's block is hashed first; a shorter one is
    /// padded with zeros to the block's length (RFC 2104, section 2).
    init(key: [UInt8]) {
        var block = key.count > H.blockByteCount ? H.hash(data: key).withUnsafeBytes { Array($0) } : key
        block += repeatElement(0, count: H.blockByteCount - block.count)
        inner = Self.absorb(block, xor: 0x36)
        outer = Self.absorb(block, xor: 0x5c)
        for index in block.indices { block[index] = 0 }
    }

    private static func absorb(_ block: [UInt8], xor pad: UInt8) -> H {
        var padded = block.map { $0 ^ pad }
        var hash = H()
        padded.withUnsafeBytes { hash.update(bufferPointer: $0) }
        for index in padded.indices { padded[index] = 0 }
        return hash
    }

    func authenticate(_ parts: [[UInt8]]) -> [UInt8] {
        var inner = self.inner
        for part in parts where !part.isEmpty {
            part.withUnsafeBytes { inner.update(bufferPointer: $0) }
        }
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
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
