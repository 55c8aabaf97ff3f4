#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The little file access the loader needs: whole small files and path arithmetic.
///
/// Plain POSIX calls so that failures carry the system's reason
/// ("No such file or directory", "Permission denied").
enum FileSystem {
    /// Why a file could not be read, in the system's words.
    struct ReadError: Error {
        var reason: String
    }

    /// Reads a whole regular file of at most `limit` bytes.
    static func read(path: String, limit: Int) -> Result<[UInt8], ReadError> {
        let fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return .failure(ReadError(reason: errnoText())) }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(ReadError(reason: errnoText())) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(ReadError(reason: "not a regular file")) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingEINTR { systemRead(fd, buffer.baseAddress, buffer.count) }
            }
            if count < 0 { return .failure(ReadError(reason: errnoText())) }
            if count == 0 { return .success(bytes) }
            bytes += chunk[..<count]
            if bytes.count > limit { return .failure(ReadError(reason: "larger than \(limit) bytes")) }
        }
    }

    /// The process's working directory, or nil if it cannot be determined.
    static func currentDirectory() -> String? {
        guard let pointer = getcwd(nil, 0) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// `path` made absolute against the working directory (unchanged if that is unknown).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = currentDirectory() else { return path }
        return join(cwd, path)
    }

    /// The directory part of `path`: `/etc/hookpipe` for `/etc/hookpipe/pipeline.conf`, `.` for a bare name.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// `path` resolved against `base` unless it is absolute; leading `./` components are dropped.
    static func join(_ base: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2).drop { $0 == "/" } }
        if relative.isEmpty || relative == "." { return base }
        if base.isEmpty || base == "." { return String(relative) }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    private static func retryingEINTR<T: FixedWidthInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}

/// `read(2)`, named apart so it does not clash with ``FileSystem/read(path:limit:)``.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
