/// A store failure. The receiver answers every one of them with 503, so the
/// sender retries; nothing is acknowledged that was not stored.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The disk or filesystem is full.
        public static let full = Code("store_full")
        /// The database could not be opened, read or written (I/O error, permissions, locked).
        public static let unavailable = Code("store_unavailable")
        /// The database file is damaged.
        public static let corrupt = Code("store_corrupt")
        /// The store was closed (shutdown in progress).
        public static let closed = Code("store_closed")
        /// A write only the chain lease's holder may make was refused: this
        /// node does not hold the lease (any more). PostgreSQL backend only.
        public static let notLeaseHolder = Code("store_not_lease_holder")
    }

    public var code: Code
    /// Human-readable detail; never contains event content.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
