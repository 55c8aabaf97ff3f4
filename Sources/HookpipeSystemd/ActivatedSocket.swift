/// One descriptor the service manager passed to the process.
public struct ActivatedSocket: Sendable, Hashable {
    /// The descriptor number, 3 or above.
    public let fd: Int32
    /// Its name from `LISTEN_FDNAMES` (the socket unit's `FileDescriptorName=`,
    /// which defaults to the unit's name such as `hookpipe.socket`), or
    /// `unknown` when the manager passed no names.
    public let name: String

    /// Creates an entry for descriptor `fd` named `name`.
    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    /// Whether the name is a default rather than one chosen with
    /// `FileDescriptorName=`: empty, `unknown`, or a socket unit's own name.
    public var isUnnamed: Bool {
        name.isEmpty || name == "unknown" || name.hasSuffix(".socket")
    }
}
