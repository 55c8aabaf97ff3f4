import Foundation

/// Starts a thread that first gives itself a kernel name, so that `top -H`,
/// `ps -L` and `/proc/<pid>/task/*/comm` tell the daemon's threads apart.
/// The name is ``kernelThreadName(_:suffix:)`` of `name` and `suffix`.
///
/// `Thread.name` alone does not get there on Linux with this toolchain: a new
/// thread keeps the kernel name of the thread that created it, which for the
/// daemon is usually a Dispatch worker's ("oot.default-qos"), so every
/// writer, feeder and pipe thread looked the same.
public func startThread(named name: String, suffix: String = "", _ body: @escaping @Sendable () -> Void) {
    let fitted = kernelThreadName(name, suffix: suffix)
    let thread = Thread {
        nameCurrentThread(fitted)
        body()
    }
    thread.name = name + suffix
    thread.start()
}

/// Gives the calling thread the kernel name `name` (cut to 15 bytes), for
/// threads not started with ``startThread(named:suffix:_:)``. Best effort: a
/// thread that cannot name itself (no /proc) still runs.
/// (`pthread_setname_np` is a GNU extension Swift does not import; writing
/// the thread's own `comm` file does the same.)
public func nameCurrentThread(_ name: String) {
    let name = kernelThreadName(name)
    let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    _ = name.withCString { write(descriptor, $0, strlen($0)) }
}

/// `name` followed by `suffix`, cut to the 15 bytes Linux keeps for a thread
/// name. The cut comes out of `name`, so a suffix that tells threads of one
/// kind apart ("-in", "-out") survives a long stage name; characters are
/// never split.
public func kernelThreadName(_ name: String, suffix: String = "") -> String {
    let limit = 15
    func whole(_ text: String, within bytes: Int) -> String {
        var kept = ""
        for character in text {
            guard kept.utf8.count + character.utf8.count <= bytes else { break }
            kept.append(character)
        }
        return kept
    }
    let tail = whole(suffix, within: limit)
    return whole(name, within: limit - tail.utf8.count) + tail
}
