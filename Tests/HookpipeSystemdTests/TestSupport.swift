import Glibc
import HookpipeSystemd
import Testing

/// A fresh directory under `$TMPDIR` (or /tmp), removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/hookpipe-systemd-XXXXXX"
        var template = Array(base.utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let result else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        path = String(cString: result)
    }

    /// Deletes the directory and the plain files in it.
    func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// A test failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A bound `AF_UNIX`/`SOCK_DGRAM` socket standing in for systemd's notify socket.
final class DatagramReceiver {
    let fd: Int32
    /// The address in `NOTIFY_SOCKET` syntax.
    let address: String

    init(address: String) throws {
        self.address = address
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let abstract = address.hasPrefix("@")
        let name = Array((abstract ? String(address.dropFirst()) : address).utf8)
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (index, byte) in name.enumerated() { raw[(abstract ? 1 : 0) + index] = byte }
        }
        let length = socklen_t(2 + name.count + 1)  // sun_family, then the name with one NUL before or after
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("bind \(address): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// The next datagram, or `nil` when none arrives within `timeout`.
    func receive(timeout: Duration = .seconds(5)) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let millis = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, millis) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

/// A TCP socket bound to 127.0.0.1 on an ephemeral port, listening or not.
func makeTCPSocket(listening: Bool) throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // no SOCK_CLOEXEC: adopt must set it
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound, !listening || listen(fd, 8) == 0 else {
        close(fd)
        throw TestFailure("bind/listen: errno \(errno)")
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}

/// A connected TCP client socket to 127.0.0.1:`port`.
func connectTCP(port: UInt16) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        close(fd)
        throw TestFailure("connect: errno \(errno)")
    }
    return fd
}

/// Duplicates `fds` onto consecutive descriptor numbers (without
/// `FD_CLOEXEC`), as systemd passes them; returns the first. Atomic with
/// respect to other threads opening descriptors: `F_DUPFD` takes the lowest
/// free number at or above its argument.
func duplicateConsecutively(_ fds: [Int32]) throws -> Int32 {
    var minimum: Int32 = 500
    while minimum < 5000 {
        var copies: [Int32] = []
        for fd in fds {
            let copy = fcntl(fd, F_DUPFD, copies.last.map { $0 + 1 } ?? minimum)
            guard copy >= 0 else { throw TestFailure("fcntl(F_DUPFD): errno \(errno)") }
            copies.append(copy)
            if copy != copies[0] + Int32(copies.count - 1) { break }  // the next number was taken
        }
        if copies.count == fds.count && copies.last == copies[0] + Int32(fds.count - 1) { return copies[0] }
        copies.forEach { close($0) }
        minimum = copies.last! + 1
    }
    throw TestFailure("no consecutive free descriptors")
}

/// Whether `fd` has `FD_CLOEXEC`.
func isCloseOnExec(_ fd: Int32) -> Bool {
    fcntl(fd, F_GETFD) & FD_CLOEXEC != 0
}

/// Runs `arguments[0]` (an absolute path) with `arguments` and returns its
/// exit status and combined stdout+stderr, collected in `outputFile`.
/// Spawns with `posix_spawn` and reaps only that pid, so it never steals
/// another test's child; a file rather than a pipe, so a descriptor leaked
/// into some other test's child cannot hold the output open.
func run(_ arguments: [String], outputFile: String) throws -> (status: Int32, output: String) {
    let output = open(outputFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard output >= 0 else { throw TestFailure("open \(outputFile): errno \(errno)") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, output, 1)
    posix_spawn_file_actions_adddup2(&actions, output, 2)
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
    close(output)
    guard spawned == 0 else { throw TestFailure("posix_spawn \(arguments[0]): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitCode, try readFile(outputFile))
}

/// The contents of the file at `path`.
func readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { throw TestFailure("cannot open \(path): errno \(errno)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes += buffer[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Creates or replaces the file at `path` with `text`.
func writeFile(_ path: String, _ text: String) throws {
    guard let file = fopen(path, "w") else { throw TestFailure("cannot create \(path): errno \(errno)") }
    defer { fclose(file) }
    let bytes = Array(text.utf8)
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw TestFailure("short write to \(path)") }
}

/// The repository root, found from this file's path.
func repositoryRoot(file: String = #filePath) -> String {
    var components = file.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)  // Tests/HookpipeSystemdTests/TestSupport.swift
    return components.joined(separator: "/")
}
