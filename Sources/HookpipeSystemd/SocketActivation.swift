import Glibc

/// The listening sockets systemd passed to the process (socket activation,
/// `sd_listen_fds_with_names` semantics), read from `LISTEN_PID`,
/// `LISTEN_FDS` and `LISTEN_FDNAMES`.
///
/// ``parse(environment:processID:firstDescriptor:)`` only reads the
/// variables; ``adopt(environment:processID:firstDescriptor:)`` also checks
/// that each descriptor is a listening stream socket and marks it
/// close-on-exec, so handler processes never inherit a listener.
///
/// hookpipe's convention: the public listener is named `http` and the admin
/// listener `admin` (see `contrib/systemd/`). ``listener(named:)`` falls back
/// to the only unnamed descriptor for `http`, so a plain `.socket` unit
/// without `FileDescriptorName=` works too.
public struct SocketActivation: Sendable, Hashable {
    /// Where passed descriptors start: 3 (`SD_LISTEN_FDS_START`).
    public static let defaultFirstDescriptor: Int32 = 3
    /// The name of the public webhook listener.
    public static let httpName = "http"
    /// The name of the admin listener.
    public static let adminName = "admin"

    /// The passed descriptors in order, consecutive from the first one.
    public let sockets: [ActivatedSocket]

    /// Wraps already-validated `sockets`.
    public init(sockets: [ActivatedSocket]) {
        self.sockets = sockets
    }

    /// The passed descriptors as `(fd, name)` pairs, in order.
    public var descriptors: [(fd: Int32, name: String)] {
        sockets.map { ($0.fd, $0.name) }
    }

    /// The descriptor named `name`, or `nil`.
    ///
    /// For ``httpName`` with no descriptor of that name, the only unnamed
    /// descriptor (see ``ActivatedSocket/isUnnamed``) if there is exactly one.
    public func listener(named name: String) -> Int32? {
        if let match = sockets.first(where: { $0.name == name }) { return match.fd }
        guard name == Self.httpName else { return nil }
        let unnamed = sockets.filter(\.isUnnamed)
        return unnamed.count == 1 ? unnamed[0].fd : nil
    }

    /// Reads the activation variables from `environment`; no I/O.
    ///
    /// - Parameters:
    ///   - processID: this process's id; `nil` (the default) means `getpid()`.
    ///   - firstDescriptor: where the descriptors start; 3 unless testing.
    /// - Returns: `nil` when neither `LISTEN_PID` nor `LISTEN_FDS` is set
    ///   (the process was not socket-activated).
    /// - Throws: ``SystemdError`` with code ``SystemdError/Code/wrongProcess``
    ///   when `LISTEN_PID` names another process (typically a wrapper script
    ///   in `ExecStart=` that did not `exec` hookpipe), or
    ///   ``SystemdError/Code/invalidEnvironment`` when a variable is missing
    ///   or malformed, or `LISTEN_FDNAMES` does not have `LISTEN_FDS` names.
    public static func parse(
        environment: [String: String],
        processID: Int32? = nil,
        firstDescriptor: Int32 = defaultFirstDescriptor
    ) throws(SystemdError) -> SocketActivation? {
        let pidText = environment["LISTEN_PID"]
        let countText = environment["LISTEN_FDS"]
        if pidText == nil && countText == nil { return nil }
        guard let pidText else { throw .environment("LISTEN_PID", "unset, but LISTEN_FDS is set") }
        guard let countText else { throw .environment("LISTEN_FDS", "unset, but LISTEN_PID is set") }
        guard let pid = Int32(pidText), pid > 0 else {
            throw .environment("LISTEN_PID", "\"\(pidText)\" is not a process id")
        }
        let ownPID = processID ?? getpid()
        guard pid == ownPID else {
            throw SystemdError(
                code: .wrongProcess, call: "LISTEN_PID",
                detail: "\(pid) is not this process (\(ownPID)); does ExecStart= exec hookpipe directly?"
            )
        }
        guard let count = Int32(countText), count >= 0, count <= Int32.max - firstDescriptor else {
            throw .environment("LISTEN_FDS", "\"\(countText)\" is not a descriptor count")
        }
        let names: [String]
        if let namesText = environment["LISTEN_FDNAMES"] {
            names = namesText.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard names.count == count else {
                throw .environment(
                    "LISTEN_FDNAMES", "\(names.count) names (\"\(namesText)\") for LISTEN_FDS=\(count) descriptors")
            }
        } else {
            names = Array(repeating: "unknown", count: Int(count))
        }
        let sockets = names.enumerated().map { ActivatedSocket(fd: firstDescriptor + Int32($0.offset), name: $0.element) }
        return SocketActivation(sockets: sockets)
    }
}
