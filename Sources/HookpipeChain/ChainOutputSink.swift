import Glibc
import HookpipeConfig
import HookpipeProcess

/// Where lines leaving the last stage go: nowhere, the daemon's stdout, or
/// appended to a file that is fsync'd before each checkpoint, so that a
/// checkpoint never covers output that could still be lost.
final class ChainOutputSink: @unchecked Sendable {
    private let fd: Int32?
    private let syncs: Bool

    init(_ output: ChainConfig.Output) throws {
        switch output {
        case .discard:
            fd = nil
            syncs = false
        case .stdout:
            fd = 1
            syncs = false
        case .file(let path):
            let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard opened >= 0 else {
                throw SystemCallError(call: "open", detail: path, errno: errno)
            }
            fd = opened
            syncs = true
        }
    }

    /// Writes lines, each followed by a newline. Called from one thread only.
    func write(_ lines: [[UInt8]]) throws {
        guard let fd, !lines.isEmpty else { return }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            buffer.append(contentsOf: line)
            buffer.append(0x0A)
        }
        try buffer.withUnsafeBytes { try SystemCall.writeAll(fd, $0) }
    }

    /// Makes written output durable (files only).
    func sync() throws {
        guard syncs, let fd else { return }
        try SystemCall.fsync(fd)
    }

    deinit {
        if syncs, let fd { _ = Glibc.close(fd) }
    }
}
