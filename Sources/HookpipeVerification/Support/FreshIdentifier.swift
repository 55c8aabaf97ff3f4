import struct Foundation.UUID

/// Random identifiers for the ids `sign` has to invent (delivery ids, request ids).
enum FreshIdentifier {
    /// A random UUID in lower case, e.g. `2066ca19-c6f1-498a-be75-1923005edd06`.
    static func uuid() -> String { UUID().uuidString.lowercased() }
}
