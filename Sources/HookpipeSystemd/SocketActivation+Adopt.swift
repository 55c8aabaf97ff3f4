import Glibc

extension SocketActivation {
    /// Reads the activation variables like
    /// ``parse(environment:processID:firstDescriptor:)``, then checks every
    /// descriptor and marks it close-on-exec.
    ///
    /// Call it once at start-up, before spawning any child. The daemon should
    /// not pass `LISTEN_*` on to children (hookpipe spawns them with a clean
    /// environment).
    ///
    /// - Throws: the parse errors, plus ``SystemdError`` with code
    ///   ``SystemdError/Code/notAListeningSocket`` for a descriptor that is not
    ///   a listening stream socket, or ``SystemdError/Code/systemCallFailed``
    ///   naming `getsockopt` or `fcntl` (`EBADF` for a descriptor that is not
    ///   open).
    public static func adopt(
        environment: [String: String],
        processID: Int32? = nil,
        firstDescriptor: Int32 = defaultFirstDescriptor
    ) throws(SystemdError) -> SocketActivation? {
        guard let activation = try parse(environment: environment, processID: processID, firstDescriptor: firstDescriptor)
        else { return nil }
        for socket in activation.sockets {
            try verifyListening(socket)
            try setCloseOnExec(socket)
        }
        return activation
    }

    /// Throws unless `socket.fd` is a stream socket in the listening state.
    static func verifyListening(_ socket: ActivatedSocket) throws(SystemdError) {
        let detail = "fd \(socket.fd) (\(socket.name))"
        let type = try socketOption(socket.fd, SO_TYPE, detail)
        guard type == Int32(SOCK_STREAM.rawValue) else {
            throw SystemdError(
                code: .notAListeningSocket, call: "getsockopt",
                detail: "\(detail) is not a stream socket (SO_TYPE \(type)); use ListenStream=")
        }
        guard try socketOption(socket.fd, SO_ACCEPTCONN, detail) != 0 else {
            throw SystemdError(code: .notAListeningSocket, call: "getsockopt", detail: "\(detail) is not listening")
        }
    }

    /// Reads the integer socket option `option` at level `SOL_SOCKET`;
    /// `ENOTSOCK` becomes ``SystemdError/Code/notAListeningSocket``.
    private static func socketOption(_ fd: Int32, _ option: Int32, _ detail: String) throws(SystemdError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        do throws(SystemdError) {
            _ = try retryingSyscall("getsockopt", detail) { getsockopt(fd, SOL_SOCKET, option, &value, &length) }
        } catch {
            guard error.errno == ENOTSOCK else { throw error }
            throw SystemdError(code: .notAListeningSocket, call: "getsockopt", detail: "\(detail) is not a socket")
        }
        return value
    }

    /// Sets `FD_CLOEXEC` on `socket.fd`, keeping its other descriptor flags.
    private static func setCloseOnExec(_ socket: ActivatedSocket) throws(SystemdError) {
        let detail = "fd \(socket.fd) (\(socket.name))"
        let flags = try retryingSyscall("fcntl", detail) { fcntl(socket.fd, F_GETFD) }
        if flags & FD_CLOEXEC == 0 {
            _ = try retryingSyscall("fcntl", detail) { fcntl(socket.fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
