import Foundation
import Logging

/// Stops stage processes left running by a previous daemon that died
/// without stopping them (`kill -9`, OOM kill, power loss of a container):
/// a well-behaved handler exits when its stdin closes, but a hung one would
/// live on beside the new chain.
///
/// The previous run's `status.json` names its stages' pids. A pid is only
/// signalled when it still leads its own process group (stages are spawned
/// as group leaders), its parent is not this daemon, and it started after
/// the previous daemon did — so a pid reused by an unrelated process is left
/// alone. Stages spawned in the last second before the crash are not in the
/// file yet and are not found.
enum LeftoverStages {
    /// Signals the leftovers' process groups (SIGTERM, then SIGKILL after
    /// `grace`) and returns the pids stopped.
    @discardableResult
    static func stop(previous: StatusSnapshot, grace: Duration = .seconds(2), logger: Logger) -> [Int32] {
        // A live previous daemon would hold the state directory's lock; the same
        // pid as ours means a restarted container (the daemon as pid 1).
        guard !previous.isLive(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000)) || previous.pid == getpid() else { return [] }
        let candidates = (previous.chain?.stages ?? []).compactMap { stage in stage.pid.map { (stage.name, $0) } }
        var stopped: [Int32] = []
        for (name, pid) in candidates {
            guard let process = ProcessInfoReader.read(pid: pid), process.processGroup == pid, process.parent != getpid(),
                  process.startedAtMicros >= previous.startedAtMicros - 1_000_000 else { continue }
            logger.warning("stopping a stage process left over from the previous run", metadata: [
                "stage.name": "\(name)", "stage.pid": "\(pid)", "previous.pid": "\(previous.pid)",
            ])
            kill(-pid, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while kill(pid, 0) == 0 && ContinuousClock.now < deadline {
                // A zombie (reparented, not yet reaped by init) counts as gone.
                if ProcessInfoReader.read(pid: pid)?.state == "Z" { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            if kill(pid, 0) == 0, ProcessInfoReader.read(pid: pid)?.state != "Z" { kill(-pid, SIGKILL) }
            stopped.append(pid)
        }
        return stopped
    }
}

/// The few fields of `/proc/PID/stat` needed above.
struct ProcessInfoReader {
    var state: String
    var parent: Int32
    var processGroup: Int32
    var startedAtMicros: Int64

    static func read(pid: Int32) -> ProcessInfoReader? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice threads itrealvalue starttime …
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let parent = Int32(fields[1]), let group = Int32(fields[2]),
              let ticks = Int64(fields[19]), let boot = bootTimeSeconds() else { return nil }
        let hertz = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessInfoReader(state: String(fields[0]), parent: parent, processGroup: group,
                                 startedAtMicros: boot * 1_000_000 + ticks * 1_000_000 / max(hertz, 1))
    }

    private static func bootTimeSeconds() -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
