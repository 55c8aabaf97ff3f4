/// Reading signature headers without ever trapping: every problem becomes a
/// ``VerificationFailure`` whose message names the header but never quotes a
/// signature.
enum SignatureHeader {
    /// The value of header `name`, trimmed of spaces and tabs; a
    /// `missingHeader` failure when absent, `malformedHeader` when empty.
    static func required(_ name: String, in headers: HeaderFields) -> Result<Substring, VerificationFailure> {
        guard let raw = headers[name] else {
            return .failure(VerificationFailure(.missingHeader, "\(name) header is missing"))
        }
        let value = trimmed(Substring(raw))
        guard !value.isEmpty else {
            return .failure(VerificationFailure(.malformedHeader, "\(name) header is empty"))
        }
        return .success(value)
    }

    /// The trimmed value of header `name`, or `nil` when absent or empty.
    static func optional(_ name: String, in headers: HeaderFields) -> String? {
        guard let raw = headers[name] else { return nil }
        let value = trimmed(Substring(raw))
        return value.isEmpty ? nil : String(value)
    }

    /// The parts of a `key=value,key=value` list, as slices of the header's bytes.
    typealias KeyValueList = [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)]

    /// Splits a `key=value,key=value` list (Stripe, MercadoPago).
    ///
    /// Spaces and tabs around parts, keys and values are ignored; keys are
    /// compared byte for byte (so `V1` is not `v1`). An empty part (a doubled
    /// or trailing comma), a part without `=`, or an empty key or value makes
    /// the whole header malformed.
    ///
    /// Byte-wise, on one copy of the value: the separators are ASCII, and a
    /// header is bytes, not text. This runs for every Stripe request, so it
    /// makes no `Substring` per part.
    static func keyValueList(_ value: Substring, header: String) -> Result<KeyValueList, VerificationFailure> {
        let bytes = value.utf8.withContiguousStorageIfAvailable { ArraySlice($0) } ?? ArraySlice(value.utf8)
        var pairs: KeyValueList = []
        pairs.reserveCapacity(4)
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            let part = trimmed(bytes[start..<end])
            guard !part.isEmpty else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has an empty part (extra comma)"))
            }
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has a part without '='"))
            }
            let key = trimmed(part[..<equals])
            let partValue = trimmed(part[(equals + 1)...])
            guard !key.isEmpty, !partValue.isEmpty else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has a part with an empty key or value"))
            }
            pairs.append((key, partValue))
            guard end < bytes.endIndex else { return .success(pairs) }
            start = end + 1
        }
    }

    /// The single value of `key` in `pairs`: `malformedHeader` when it is
    /// absent or given more than once.
    static func single(_ key: StaticString, in pairs: KeyValueList, header: String) -> Result<Substring, VerificationFailure> {
        var found: ArraySlice<UInt8>?
        for pair in pairs where equals(pair.key, key) {
            guard found == nil else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has more than one '\(key)' part"))
            }
            found = pair.value
        }
        guard let found else {
            return .failure(VerificationFailure(.malformedHeader, "\(header) has no '\(key)' part"))
        }
        // The slice lies between ASCII separators of a String's bytes: valid UTF-8.
        return .success(Substring(String(decoding: found, as: UTF8.self)))
    }

    /// Every hex digest given under `key` in `pairs`, each of `algorithm`'s length.
    /// `malformedHeader` when there is none or one is not valid hex of that length.
    static func hexDigests(_ key: StaticString, in pairs: KeyValueList, algorithm: DigestAlgorithm,
                           header: String) -> Result<[[UInt8]], VerificationFailure> {
        var digests: [[UInt8]] = []
        for pair in pairs where equals(pair.key, key) {
            guard let digest = Hex.decode(pair.value), digest.count == algorithm.byteCount else {
                return .failure(VerificationFailure(.malformedHeader, "\(header) has a '\(key)' part that is not a hex digest"))
            }
            digests.append(digest)
        }
        guard !digests.isEmpty else {
            return .failure(VerificationFailure(.malformedHeader, "\(header) has no '\(key)' part"))
        }
        return .success(digests)
    }

    private static func equals(_ bytes: ArraySlice<UInt8>, _ key: StaticString) -> Bool {
        key.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    /// Parses a `<timestampKey>=<ts>,<signatureKey>=<hex>[,…]` header (Stripe's
    /// `t=…,v1=…`, MercadoPago's `ts=…,v1=…`): exactly one timestamp, read by
    /// `parse`, and one or more hex digests. Every problem is a 401 failure.
    static func timestampedHexDigests(
        _ header: String, in headers: HeaderFields, timestampKey: StaticString, signatureKey: StaticString,
        algorithm: DigestAlgorithm, parse: (Substring) -> SignedTimestamp?, timestampMeaning: String
    ) -> Result<(timestamp: SignedTimestamp, digests: [[UInt8]]), VerificationFailure> {
        required(header, in: headers)
            .flatMap { keyValueList($0, header: header) }
            .flatMap { pairs in
                single(timestampKey, in: pairs, header: header).flatMap { text in
                    guard let timestamp = parse(text) else {
                        return .failure(VerificationFailure(.malformedHeader, "\(header) has a '\(timestampKey)' that is not \(timestampMeaning)"))
                    }
                    return hexDigests(signatureKey, in: pairs, algorithm: algorithm, header: header).map { (timestamp, $0) }
                }
            }
    }

    /// A digest written as `prefix` followed by hex or base64 (GitHub, Shopify, …).
    ///
    /// The prefix must match exactly, case included; the digest must decode to
    /// `algorithm`'s length.
    static func prefixedDigest(_ value: Substring, prefix: String, encoding: GenericHMACSettings.Encoding,
                               algorithm: DigestAlgorithm, header: String) -> Result<[UInt8], VerificationFailure> {
        guard value.hasPrefix(prefix) else {
            return .failure(VerificationFailure(.malformedHeader, "\(header) does not start with '\(prefix)'"))
        }
        let encoded = value.dropFirst(prefix.count)
        let decoded: [UInt8]?
        switch encoding {
        case .hex: decoded = Hex.decode(encoded)
        case .base64: decoded = Base64.decode(encoded)
        }
        guard let digest = decoded, digest.count == algorithm.byteCount else {
            return .failure(VerificationFailure(.malformedHeader, "\(header) is not a \(encoding.rawValue) \(algorithm) digest"))
        }
        return .success(digest)
    }

    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> Substring {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return text[text.endIndex...]
        }
        return Substring(bytes[first...last])
    }

    /// A space or a tab: what `trimmed` takes off either end.
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
