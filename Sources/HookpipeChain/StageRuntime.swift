import HookpipeConfig
import HookpipeProcess

/// One stage's supervision state. Guarded by the runner's lock.
struct StageRuntime {
    enum Phase: Equatable {
        /// Waiting to (re)start at `until`.
        case backoff(until: ContinuousClock.Instant)
        /// A process is running and being fed.
        case running
        /// Its stdin is being closed so it exits after what it was given.
        case draining(since: ContinuousClock.Instant)
        /// It held an event too long: being killed.
        case killing
        /// No process: the suspects that failed alone are being written to the
        /// dead-letter store (outside the runner's lock); restarted after.
        case deadLettering
        /// Stopped for good (graceful shutdown).
        case stopped
    }

    let index: Int
    let config: StageConfig
    var phase: Phase
    var process: ChildProcess?
    /// Bumped on every spawn; threads of an older process ignore themselves.
    var generation = 0
    var startedAt: ContinuousClock.Instant?
    /// Set by the runner to make the writer close stdin after its current write.
    var closeRequested = false
    /// When the writer closed the current process's stdin (a clean exit then
    /// means drained); a process that does not exit within `timeout` after
    /// that is killed.
    var stdinClosedAt: ContinuousClock.Instant?
    var stdinClosed: Bool { stdinClosedAt != nil }
    /// Why hookpipe is killing the current process (for the exit log and dead
    /// letters). Set before the signal is sent: an exit after it never counts as a drain.
    var killReason: String?
    var backoff: RestartBackoff
    var poison: PoisonTracker
    /// Set while looking for a poison event among the suspects.
    var isolation: Isolation?
    var restarts = 0
    /// Lines written to this stage's processes, and lines they emitted (valid or not), since the runner started.
    var linesIn: Int64 = 0
    var linesOut: Int64 = 0
    /// Planned restarts after a drain (flushes), counted apart from failures.
    var drains = 0
    /// The current process emitted at least one marked line: it passes marks
    /// on, so events it neither passed nor re-fed may have been lost, not filtered.
    var emittedMark = false
    /// Lines from the current process with a `mark` that matched nothing it was given.
    var foreignMarks = 0
    /// What such a stage left unpassed at its last drain; fed once more, and
    /// settled only when the next drain leaves exactly the same (filtered).
    var unconfirmedLeftover: [Int64] = []
    var failed = false

    init(index: Int, config: StageConfig, poisonAfter: Int, now: ContinuousClock.Instant) {
        self.index = index
        self.config = config
        self.phase = .backoff(until: now)
        self.backoff = RestartBackoff(floor: config.backoffMin, cap: config.backoffMax,
                                      healthyAfter: config.healthyAfter, failAfter: config.failAfter)
        self.poison = PoisonTracker(threshold: poisonAfter)
    }

    /// Most lines written to the process and not passed on: none for the
    /// isolation probe, one per isolated suspect.
    var writeLimit: Int {
        guard let isolation else { return config.maxInFlight }
        return isolation.probed ? 1 : 0
    }
}

/// One isolation round: a probe run with no input (is the stage sane at
/// all?), then each suspect on its own, twice if its first run fails. A
/// suspect is blamed only when the
/// probe exited cleanly and either it was the only suspect or another
/// suspect went through: a stage that fails on everything is broken, and
/// its events are not dead-lettered for it.
struct Isolation {
    struct Failure {
        var item: SettlementLedger.Item
        var reason: String
        var stderrTail: [String]
    }

    /// Suspects not yet tried, in order.
    var suspects: [Int64]
    let total: Int
    /// The probe ran and exited cleanly.
    var probed = false
    var successes = 0
    /// Suspects that failed one run alone; a second failure blames them.
    var failedOnce: Set<Int64> = []
    var failures: [Failure] = []

    init(suspects: [Int64]) {
        self.suspects = suspects
        self.total = suspects.count
    }

    /// Whether the failures may be blamed on their events.
    var blamesEvents: Bool {
        probed && !failures.isEmpty && (total == 1 || successes > 0)
    }
}

/// What a stage process's exit proves about the lines it was given.
///
/// A **drain** — every line written to the process is finished — is proved
/// only when hookpipe closed its stdin, the process exited 0, nothing was
/// left unread in its stdin pipe, its stdout was read to the end, and
/// hookpipe was not killing it (timeout, stop or reload deadline,
/// isolation). A handler that exits 0 on the SIGTERM of a deadline proves nothing.
struct ExitEvidence: Equatable {
    var exitedCleanly: Bool
    var stdinClosedByHookpipe: Bool
    var killedByHookpipe: Bool
    /// Bytes left in its stdin pipe (`nil`: unknown).
    var unreadInput: Int?
    var stdoutReadToEnd: Bool

    var isDrain: Bool {
        exitedCleanly && stdinClosedByHookpipe && !killedByHookpipe && unreadInput == 0 && stdoutReadToEnd
    }
}
