import Glibc

/// Where the service manager listens for notifications: the parsed value of
/// `NOTIFY_SOCKET`.
///
/// An absolute path names a socket in the file system; a leading `@` names a
/// socket in the Linux abstract namespace (the `@` stands for the leading NUL
/// byte). Other forms (`vsock:` addresses) are rejected.
public enum NotifySocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// A socket file, e.g. `/run/systemd/notify`.
    case path(String)
    /// An abstract socket name, without the leading `@`.
    case abstract(String)

    /// The longest name that fits in `sockaddr_un.sun_path` (108 bytes on
    /// Linux): a path needs its terminating NUL, an abstract name its leading one.
    static let maximumNameLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Parses a `NOTIFY_SOCKET` value.
    ///
    /// - Throws: ``SystemdError`` with code ``SystemdError/Code/invalidEnvironment``
    ///   for an empty, relative, unsupported or over-long address.
    public init(parsing value: String) throws(SystemdError) {
        let bytes = value.utf8
        if value.hasPrefix("@") {
            let name = String(value.dropFirst())
            guard !name.isEmpty else { throw .environment("NOTIFY_SOCKET", "\"@\" names no abstract socket") }
            guard name.utf8.count <= Self.maximumNameLength else {
                throw .environment("NOTIFY_SOCKET", "abstract name longer than \(Self.maximumNameLength) bytes")
            }
            self = .abstract(name)
        } else if value.hasPrefix("/") {
            guard bytes.count <= Self.maximumNameLength else {
                throw .environment("NOTIFY_SOCKET", "path longer than \(Self.maximumNameLength) bytes")
            }
            guard !bytes.contains(0) else { throw .environment("NOTIFY_SOCKET", "path contains a NUL byte") }
            self = .path(value)
        } else {
            throw .environment("NOTIFY_SOCKET", "\"\(value)\" is neither an absolute path nor an @abstract name")
        }
    }

    /// The address as `NOTIFY_SOCKET` spells it: the path, or `@name`.
    public var description: String {
        switch self {
        case .path(let path): path
        case .abstract(let name): "@" + name
        }
    }

    /// Calls `body` with the `sockaddr_un` for this address and its length
    /// (for an abstract name the length excludes any trailing NUL, as the
    /// kernel compares all `length` bytes).
    func withSocketAddress<Result>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemdError) -> Result
    ) throws(SystemdError) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name: [UInt8]
        let offset: Int
        switch self {
        case .path(let path):
            name = Array(path.utf8)
            offset = 0
        case .abstract(let abstract):
            name = Array(abstract.utf8)
            offset = 1  // sun_path[0] stays NUL
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in name.enumerated() { raw[offset + index] = byte }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let length = socklen_t(pathOffset + offset + name.count + (offset == 0 ? 1 : 0))
        return try withUnsafePointer(to: &address) { pointer throws(SystemdError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic throws(SystemdError) in
                try body(generic, length)
            }
        }
    }
}
