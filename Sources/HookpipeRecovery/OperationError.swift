public import HookpipeStore

/// Why an operator command cannot do what it was asked. The message names
/// the file, flag, source or id at fault and never contains a secret.
public struct OperationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The configured store does not exist (yet).
        public static let noStore = Code("no_store")
        /// `--source` names no configured source.
        public static let unknownSource = Code("unknown_source")
        /// A flag's value cannot be used.
        public static let invalidArgument = Code("invalid_argument")
        /// A selection matched no stored event.
        public static let emptySelection = Code("empty_selection")
        /// An id names no dead letter.
        public static let notFound = Code("not_found")
        /// A dead letter's event can no longer be rebuilt.
        public static let cannotRetry = Code("cannot_retry")
        /// The store failed (see the message).
        public static let store = Code("store")
        /// Reading or writing a file or stream failed.
        public static let io = Code("io")
        /// Whoever read the output went away (a closed pipe): not a failure of the command.
        public static let outputClosed = Code("output_closed")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension OperationError {
    /// A store failure while doing `action`.
    public static func store(_ error: StoreError, _ action: String) -> OperationError {
        OperationError(.store, "cannot \(action): \(error)")
    }
}
