import Crypto

extension DedupeKeyRule {
    /// The deduplication key of one delivery under this rule: the rule's value
    /// when the delivery has a non-empty one, otherwise ``bodyHashKey(_:)``, so
    /// that a delivery is never refused for want of an id. Used by the
    /// receiver and by `hookpipe inject`, which has no headers, query or
    /// message id: under those rules an injected line is keyed by its hash.
    ///
    /// - Parameters:
    ///   - headers: the request's headers.
    ///   - query: its decoded query parameters.
    ///   - messageID: the delivery id the scheme reported (``Verification/messageID``).
    ///   - body: the raw body.
    ///   - bodyValue: the scalar at a JSON pointer in the body, as text (the caller owns the parsed body).
    public func key(headers: HeaderFields = [:], query: [(name: String, value: String)] = [], messageID: String? = nil,
                    body: [UInt8], bodyValue: (String) -> String?) -> String {
        let value: String? = switch self {
        case .header(let name): headers[name]
        case .jsonPointer(let pointer): bodyValue(pointer)
        case .query(let name): query.first { $0.name == name }?.value
        case .messageID: messageID
        case .bodyHash: nil
        }
        if let value, !value.isEmpty { return value }
        return Self.bodyHashKey(body)
    }

    /// `sha256:<lower-case hex>` of the raw body.
    public static func bodyHashKey(_ body: [UInt8]) -> String {
        "sha256:" + Hex.encode(Array(SHA256.hash(data: body)))
    }
}
