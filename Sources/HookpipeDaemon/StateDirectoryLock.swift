import Foundation

/// An exclusive `flock` on `<state_directory>/hookpipe.lock`, held for the
/// life of the daemon: two daemons on one store would both feed the chain
/// and deliver every event twice. The kernel drops the lock when the process
/// dies, even by `kill -9`, so a stale lock never blocks a restart.
/// (The operator commands read and append through SQLite's own locking and
/// do not take this lock.)
final class StateDirectoryLock {
    struct Held: Error, CustomStringConvertible {
        var path: String
        var holder: String
        var description: String {
            "another hookpipe (\(holder)) is running with this state directory (\(path) is locked); stop it first, or give this one its own [store] state_directory"
        }
    }

    private let fd: Int32

    init(stateDirectory: String) throws {
        let path = (stateDirectory as NSString).appendingPathComponent("hookpipe.lock")
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let pid = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            throw Held(path: path, holder: pid.isEmpty ? "unknown pid" : "pid \(pid)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    deinit { close(fd) }
}
