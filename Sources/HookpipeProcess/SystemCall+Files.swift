import Glibc

/// Whole-file writes that a crash cannot leave half done.
extension SystemCall {
    /// Opens `path` with `flags` (`O_CLOEXEC` is added); a file it creates gets mode 0600.
    public static func open(_ path: String, _ flags: Int32) throws(SystemCallError) -> Int32 {
        try retrying("open", path) { Glibc.open(path, flags | O_CLOEXEC, 0o600) }
    }

    /// Replaces `path` with `contents` so that a reader, even after a crash
    /// or power loss, finds either the old file or the new one, whole:
    /// the bytes go to `<path>.tmp`, which is fsync'd, renamed over `path`,
    /// and then the directory is fsync'd so the rename itself is durable.
    ///
    /// Only one writer per `path` at a time (the temporary name is fixed).
    /// A new file gets mode 0600.
    public static func replaceFile(_ path: String, contents: [UInt8]) throws(SystemCallError) {
        let temporary = path + ".tmp"
        let fd = try open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        do throws(SystemCallError) {
            let result = contents.withUnsafeBytes { bytes in Result { () throws(SystemCallError) in try writeAll(fd, bytes) } }
            try result.get()
            try fsync(fd)
        } catch {
            try? close(fd)
            throw error
        }
        try close(fd)
        try rename(temporary, path)
        try syncDirectory(containing: path)
    }

    /// Fsyncs the directory that holds `path`, making a file created, renamed
    /// or removed there durable.
    public static func syncDirectory(containing path: String) throws(SystemCallError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { try? close(fd) }
        try fsync(fd)
    }
}
