import struct Foundation.Date

/// The parts of an HTTP request that signature schemes look at.
///
/// Independent of the HTTP library: the receiver converts its request into this
/// type at the edge. `body` holds the raw bytes exactly as received; every
/// scheme verifies those bytes, never a re-serialised form.
public struct WebhookRequest: Sendable {
    /// Request headers in arrival order; lookups ignore case.
    public var headers: HeaderFields
    /// Decoded query parameters in arrival order (`data.id=123` → `("data.id", "123")`).
    public var query: [(name: String, value: String)]
    /// The raw request body.
    public var body: [UInt8]

    /// Creates a request from what the HTTP layer received.
    public init(headers: HeaderFields, query: [(name: String, value: String)] = [], body: [UInt8]) {
        self.headers = headers
        self.query = query
        self.body = body
    }

    /// The first value of query parameter `name` (exact, case-sensitive match).
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// An ordered list of header fields with case-insensitive lookup.
public struct HeaderFields: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in arrival order.
    public private(set) var fields: [(name: String, value: String)]

    /// Fields in the given order.
    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// Fields from a literal, in the order written.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of header `name`, compared without regard to ASCII case.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveASCIIEquals(name) }?.value
    }

    /// Appends a field.
    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Iterates the fields in arrival order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

extension String {
    /// ASCII case-insensitive equality, as HTTP header names are compared.
    ///
    /// On the bytes in place when both strings are stored contiguously (as
    /// the receiver's are): every header lookup runs it once per field.
    func caseInsensitiveASCIIEquals(_ other: String) -> Bool {
        let a = self.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        let inPlace = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in
                zip(x, y).allSatisfy(Self.foldedEqual)
            }
        }
        if let inPlace, let equal = inPlace { return equal }
        return zip(a, b).allSatisfy(Self.foldedEqual)
    }

    /// The string with ASCII upper-case letters lowered, everything else as
    /// is; the string itself when it has none, so that most header names
    /// need no new string.
    public var asciiLowercased: String {
        let isUpper: (UInt8) -> Bool = { $0 >= 0x41 && $0 <= 0x5A }
        var contiguous = self
        return contiguous.withUTF8 { bytes in
            guard bytes.contains(where: isUpper) else { return self }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                for index in bytes.indices {
                    out[index] = isUpper(bytes[index]) ? bytes[index] | 0x20 : bytes[index]
                }
                return bytes.count
            }
        }
    }

    /// Equal bytes, or the same ASCII letter in either case.
    private static func foldedEqual(_ x: UInt8, _ y: UInt8) -> Bool {
        x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a)
    }
}
