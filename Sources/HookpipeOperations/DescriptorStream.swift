public import HookpipeProcess
import Dispatch
import Glibc

/// Blocking reads and writes on a file descriptor (stdin, stdout), carried
/// out on a dispatch queue of its own so that waiting for a slow pipe never
/// holds a thread of the cooperative pool.
public final class DescriptorStream: Sendable {
    public let fd: Int32
    private let queue: DispatchQueue

    public init(fd: Int32) {
        self.fd = fd
        self.queue = DispatchQueue(label: "hookpipe-fd-\(fd)")
    }

    /// Up to `maxCount` bytes; empty at end of file.
    public func read(maxCount: Int = 64 << 10) async throws(SystemCallError) -> [UInt8] {
        let fd = self.fd
        let result: Result<[UInt8], SystemCallError> = await withCheckedContinuation { continuation in
            queue.async {
                var buffer = [UInt8](repeating: 0, count: maxCount)
                let count = buffer.withUnsafeMutableBytes { raw in
                    Result { () throws(SystemCallError) in try SystemCall.read(fd, into: raw) }
                }
                continuation.resume(returning: count.map { count in
                    buffer.removeSubrange(count...)
                    return buffer
                })
            }
        }
        return try result.get()
    }

    /// Writes all of `bytes`. A closed pipe is `EPIPE` (``SystemCallError/isBrokenPipe``)
    /// when the process ignores `SIGPIPE`.
    public func write(_ bytes: [UInt8]) async throws(SystemCallError) {
        let fd = self.fd
        let result: Result<Void, SystemCallError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: bytes.withUnsafeBytes { raw in
                    Result { () throws(SystemCallError) in try SystemCall.writeAll(fd, raw) }
                })
            }
        }
        try result.get()
    }

    /// Whether the reading end of this descriptor's pipe or socket is gone
    /// (`poll` reports an error or hang-up), so a writer that is idle can
    /// notice that nobody listens any more. Always `false` for files and terminals.
    public var peerClosed: Bool {
        var entry = pollfd(fd: fd, events: 0, revents: 0)
        guard poll(&entry, 1, 0) == 1 else { return false }
        return entry.revents & Int16(POLLERR | POLLHUP) != 0
    }
}
