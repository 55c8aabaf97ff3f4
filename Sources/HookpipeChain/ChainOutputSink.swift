import Glibc
import HookpipeConfig
import HookpipeProcess
import HookpipeSync

/// Where lines leaving the last stage go: nowhere, the daemon's stdout, or
/// appended to a file that is fsync'd before each checkpoint, so that a
/// checkpoint never covers output that could still be lost.
///
/// A reader of the file only ever sees whole lines:
/// - on open, a partial line at the end (a write cut short by a crash) is
///   cut off. It was never settled — the checkpoint is saved only after the
///   file is synced — so its event is fed again and written whole;
/// - a write is all or nothing: when it fails part-way (`ENOSPC`, `EIO`),
///   the file is cut back to where it ended before, and the caller retries.
///
/// One writer at a time, enforced: only the stage process that last
/// ``claim(_:)``ed the sink may write, and nothing writes after ``close()``.
final class ChainOutputSink: @unchecked Sendable {
    /// Why a write did not happen.
    enum WriteError: Error, CustomStringConvertible {
        /// Another process of the last stage owns the sink now, or the chain stopped.
        case notOwner
        /// This node no longer trusts its chain lease: it must write nothing more.
        case notPermitted
        /// The write failed; the file was cut back to its previous end.
        case failed(SystemCallError)

        var description: String {
            switch self {
            case .notOwner: "the output belongs to a newer stage process, or the chain stopped"
            case .notPermitted: "this node no longer holds the chain lease"
            case .failed(let error): "\(error)"
            }
        }
    }

    private struct State {
        var fd: Int32?
        var owner = 0
        var closed = false
        /// Where the file ends after the last complete write.
        var end: Int64 = 0
        /// Where it ended at the last successful fsync.
        var synced: Int64 = 0
    }

    private let state: Locked<State>
    /// The output is a file hookpipe opened: synced, cut back on failure, closed here.
    private let isFile: Bool
    /// Bytes cut off the end of the file on open (a partial last line).
    let truncatedOnOpen: Int64
    /// Asked under the sink's lock before every write and every sync: with a
    /// shared store, whether this node still trusts its chain lease. When it
    /// says no, nothing is written or synced any more.
    private let mayWrite: (@Sendable () -> Bool)?

    init(_ output: ChainConfig.Output, mayWrite: (@Sendable () -> Bool)? = nil) throws {
        self.mayWrite = mayWrite
        switch output {
        case .discard:
            state = Locked(State(fd: nil))
            isFile = false
            truncatedOnOpen = 0
        case .stdout:
            state = Locked(State(fd: 1))
            isFile = false
            truncatedOnOpen = 0
        case .file(let path):
            let opened = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard opened >= 0 else {
                throw SystemCallError(call: "open", detail: path, errno: errno)
            }
            do {
                let (end, cut) = try Self.cutPartialLine(opened, path: path)
                state = Locked(State(fd: opened, end: end, synced: end))
                truncatedOnOpen = cut
            } catch {
                _ = Glibc.close(opened)
                throw error
            }
            isFile = true
        }
    }

    /// Makes `owner` (a stage process's generation) the only writer from now on.
    func claim(_ owner: Int) {
        state.withLock { $0.owner = owner }
    }

    /// Writes lines, each followed by a newline, as `owner`: all of them, or
    /// none (the file is cut back to its previous end and the error thrown).
    func write(_ lines: [[UInt8]], as owner: Int) throws(WriteError) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            buffer.append(contentsOf: line)
            buffer.append(0x0A)
        }
        try state.withLock { (state) throws(WriteError) in
            guard !state.closed, state.owner == owner else { throw .notOwner }
            if let mayWrite, !mayWrite() { throw .notPermitted }
            guard let fd = state.fd, !buffer.isEmpty else { return }
            let failure: SystemCallError? = buffer.withUnsafeBytes { bytes -> SystemCallError? in
                do throws(SystemCallError) {
                    try SystemCall.writeAll(fd, bytes)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure {
                // A partial write is taken back, so the file never holds half a line.
                if isFile { _ = ftruncate(fd, off_t(state.end)) }
                throw .failed(failure)
            }
            if isFile { state.end += Int64(buffer.count) }
        }
    }

    /// Makes written output durable (files only).
    func sync() throws {
        guard isFile else { return }
        try state.withLock { state in
            guard let fd = state.fd, !state.closed else { return }
            if let mayWrite, !mayWrite() { throw WriteError.notPermitted }
            try SystemCall.fsync(fd)
            state.synced = state.end
        }
    }

    /// After the chain lease was lost: cuts the file back to where it ended
    /// at the last sync (lines written since were never covered by a
    /// checkpoint; the next holder feeds their events again) and closes it
    /// without syncing anything more. Returns the bytes cut.
    @discardableResult
    func abandon() -> Int64 {
        state.withLock { state -> Int64 in
            guard !state.closed else { return 0 }
            state.closed = true
            guard isFile, let fd = state.fd else { return 0 }
            let cut = state.end - state.synced
            if cut > 0 { _ = ftruncate(fd, off_t(state.synced)) }
            _ = Glibc.close(fd)
            return cut
        }
    }

    /// No write is accepted after this; the file is synced and closed.
    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            if isFile, let fd = state.fd {
                _ = Glibc.fsync(fd)
                _ = Glibc.close(fd)
            }
        }
    }

    deinit {
        close()
    }

    /// Cuts `fd`'s file back to just after its last newline; returns the new
    /// end and how many bytes were cut.
    private static func cutPartialLine(_ fd: Int32, path: String) throws -> (end: Int64, cut: Int64) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemCallError(call: "fstat", detail: path, errno: errno) }
        let size = Int64(info.st_size)
        guard size > 0 else { return (0, 0) }
        var end = size
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while end > 0 {
            let length = Int(min(Int64(chunk.count), end))
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(end - Int64(length))) }
            guard count == length else { throw SystemCallError(call: "pread", detail: path, errno: count < 0 ? errno : EIO) }
            if let newline = chunk[0..<length].lastIndex(of: 0x0A) {
                end = end - Int64(length) + Int64(newline) + 1
                break
            }
            end -= Int64(length)
        }
        guard end < size else { return (size, 0) }
        guard ftruncate(fd, off_t(end)) == 0 else { throw SystemCallError(call: "ftruncate", detail: path, errno: errno) }
        try SystemCall.fsync(fd)
        return (end, size - end)
    }
}
