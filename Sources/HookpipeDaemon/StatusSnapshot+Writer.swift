import Foundation
import HookpipeStore

extension StatusSnapshot {
    /// What became of the daemon that wrote a snapshot.
    public enum Writer: Equatable, Sendable {
        /// It runs and wrote within the last few seconds.
        case live
        /// It still runs (same pid, same start time) but has not written for a
        /// while: it cannot (a full disk, no descriptors left) or it hangs.
        case stale
        /// It stopped cleanly (the last snapshot says `running: false`).
        case stopped
        /// Its pid no longer exists: crashed or killed.
        case gone
        /// Its pid now belongs to a process that started after it: it is gone too.
        case reused
    }

    /// A process as `/proc` shows it, for ``writer(nowMicros:staleAfter:process:)``.
    public struct ProcessStart: Equatable, Sendable {
        /// When the process started (wall clock); `nil` when it cannot be read.
        public var startedAtMicros: Int64?

        public init(startedAtMicros: Int64?) {
            self.startedAtMicros = startedAtMicros
        }
    }

    /// How far a process's start time (whole seconds of boot time plus
    /// clock ticks) may lie after the daemon's own `startedAtMicros` and
    /// still be the same process.
    public static let startTimeTolerance: Duration = .seconds(2)

    /// Decides without I/O. `process` is what runs as ``pid`` now, `nil` when nothing does.
    ///
    /// The daemon's process started before it wrote `startedAtMicros`; a
    /// process that reused its pid started after the daemon was gone, so after
    /// `startedAtMicros` by more than the tolerance.
    public func writer(nowMicros: Int64, staleAfter: Duration = .seconds(5), process: ProcessStart?) -> Writer {
        guard running else { return .stopped }
        guard let process else { return .gone }
        if let started = process.startedAtMicros, started > startedAtMicros + Self.startTimeTolerance.microseconds {
            return .reused
        }
        return nowMicros - updatedAtMicros <= staleAfter.microseconds ? .live : .stale
    }

    /// ``writer(nowMicros:staleAfter:process:)`` with the process looked up
    /// (`kill(pid, 0)` and `/proc/PID/stat`).
    public func writer(nowMicros: Int64, staleAfter: Duration = .seconds(5)) -> Writer {
        let exists = kill(pid, 0) == 0 || errno == EPERM
        let process = exists ? ProcessStart(startedAtMicros: ProcessInfoReader.read(pid: pid)?.startedAtMicros) : nil
        return writer(nowMicros: nowMicros, staleAfter: staleAfter, process: process)
    }
}
