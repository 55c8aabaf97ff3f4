public import HookpipeConfig
public import HookpipeStore
public import Logging
import Foundation
import HookpipeJSON
import HookpipeProcess
import HookpipeSync

/// Streams stored events, in sequence order, through the configured stages
/// and persists how far they got.
///
/// Threads, not tasks: every pipe is read and written with blocking calls on
/// a thread of its own (per process: a writer, a stdout reader, a stderr
/// reader and a waiter), plus a feeder that reads the store and a ticker that
/// enforces timers and saves checkpoints. All shared state sits behind one
/// lock (``ChainLock``, a condition per waiter); the decisions are made by ``SettlementLedger``,
/// ``RestartBackoff`` and ``PoisonTracker``, which do no I/O. What may
/// settle an event, and what never does, is in docs/ARCHITECTURE.md ("Settlement").
public final class ChainRunner: @unchecked Sendable {
    /// The checkpoint's consumer name in the store.
    public static let consumer = "chain"
    /// A stage holding only events it answered (a marked line of theirs came
    /// out) is drained after this many `flush_after` of quiet, to settle them.
    static let answeredFlushFactor = 10
    /// How often an idle feeder checks the store for events appended by other processes.
    static let storePollInterval: Duration = .milliseconds(500)

    let config: ChainConfig
    let store: any EventStore
    let logger: Logger
    let baseEnvironment: [String: String]
    let output: ChainOutputSink
    /// With a shared store: asked before feeding any stage and before every
    /// output write and sync; `false` once this node no longer trusts its lease.
    let mayWrite: (@Sendable () -> Bool)?
    let lock: ChainLock
    /// Serialises checkpoint saves (the ticker's and the final one in `stop`),
    /// so that an older watermark is never written after a newer one.
    let checkpointSaves = NSLock()

    // Guarded by `lock`:
    var ledger: SettlementLedger
    var stages: [StageRuntime]
    var stderrTails: [StderrTail]
    var newestStored: Int64 = 0
    var stopping = false
    /// Set when `stop` gives up waiting: from then on nothing is spawned and no exit settles anything.
    var stopped = false
    /// The last stage's lines cannot be written to the output (retried meanwhile).
    var outputFailing = false
    var lastSaved: Int64
    var invalidLines = 0
    /// When the ticker last ran: the chain's heartbeat for the systemd watchdog.
    var lastTick = ContinuousClock.now
    var deadLettered = 0
    var threads: [Thread] = []

    /// - Parameters:
    ///   - stateDirectory: given to handlers as `HOOKPIPE_STATE_DIR`.
    ///   - path: `PATH` for handlers (the daemon's own by default).
    /// - Parameter mayWrite: with a shared store, asked before every output
    ///   write and sync: whether this node still trusts its chain lease.
    public init(config: ChainConfig, store: any EventStore, stateDirectory: String, path: String?, logger: Logger,
                mayWrite: (@Sendable () -> Bool)? = nil) throws {
        self.config = config
        self.store = store
        self.logger = logger
        self.baseEnvironment = [
            "PATH": path ?? LaunchSpec.defaultSearchPath,
            "LANG": "C.UTF-8",
            "HOOKPIPE_STATE_DIR": stateDirectory,
            "HOOKPIPE_STAGE_COUNT": String(config.stages.count),
        ]
        self.output = try ChainOutputSink(config.output, mayWrite: mayWrite)
        self.mayWrite = mayWrite
        if output.truncatedOnOpen > 0 {
            logger.warning("cut a partial line off the end of the chain output; its event is fed again", metadata: [
                "chain.output": "\(config.output)", "chain.output.bytes_cut": "\(output.truncatedOnOpen)",
            ])
        }
        self.lock = ChainLock(stageCount: config.stages.count)
        let checkpoint = try blockingAwait { [store] in try await store.checkpoint(Self.consumer) }
        self.lastSaved = checkpoint
        self.ledger = SettlementLedger(stageCount: config.stages.count, checkpoint: checkpoint)
        let now = ContinuousClock.now
        self.stages = config.stages.enumerated().map { StageRuntime(index: $0, config: $1, poisonAfter: config.poisonAfter, now: now) }
        self.stderrTails = config.stages.map { _ in StderrTail(capacity: config.stderrTail) }
    }

    /// The persisted checkpoint when the runner was created, or the last one saved.
    public var checkpoint: Int64 {
        lock.withLock { lastSaved }
    }

    /// When the ticker last ran; a wedged chain stops advancing it.
    public var heartbeat: ContinuousClock.Instant {
        lock.withLock { lastTick }
    }

    /// Whether any stage is crash-looping or isolating suspects, or the output
    /// cannot be written (the daemon reports itself degraded).
    public var degraded: Bool {
        lock.withLock { outputFailing || stages.contains { $0.failed || $0.isolation != nil } }
    }

    /// A stage as `status` and health checks report it.
    public struct StageStatus: Sendable, Equatable {
        public var name: String
        /// `running`, `draining`, `killing`, `backoff`, `dead-lettering` or `stopped`.
        public var phase: String
        public var pid: Int32?
        public var restarts: Int
        /// Drains (stdin closed, clean exit, restarted) of filters and sinks.
        public var drains: Int
        /// Crash-looping: retried at the backoff cap.
        public var failed: Bool
        /// Looking for a poison event among its suspects.
        public var isolating: Bool
        /// Lines written to the process and not yet passed on.
        public var held: Int
        /// Lines written to this stage, and lines it emitted, since the runner started.
        public var linesIn: Int64
        public var linesOut: Int64
        /// Lines from this stage whose `mark` matched nothing it was given (ignored).
        public var foreignMarks: Int
    }

    /// The chain's state at this moment.
    public struct Status: Sendable, Equatable {
        public var checkpoint: Int64
        public var watermark: Int64
        public var fed: Int64
        public var invalidLines: Int
        public var deadLettered: Int
        /// Events fed and not yet settled.
        public var inFlight: Int
        public var stages: [StageStatus]
    }

    public func status() -> Status {
        lock.withLock {
            Status(checkpoint: lastSaved, watermark: ledger.watermark, fed: ledger.maxFed, invalidLines: invalidLines,
                   deadLettered: deadLettered, inFlight: ledger.inFlight, stages: stages.map { stage in
                       let phase = switch stage.phase {
                       case .running: "running"
                       case .draining: "draining"
                       case .killing: "killing"
                       case .backoff: "backoff"
                       case .deadLettering: "dead-lettering"
                       case .stopped: "stopped"
                       }
                       return StageStatus(name: stage.config.name, phase: phase, pid: stage.process?.pid, restarts: stage.restarts,
                                          drains: stage.drains, failed: stage.failed, isolating: stage.isolation != nil,
                                          held: ledger.writtenCount(stage.index), linesIn: stage.linesIn, linesOut: stage.linesOut,
                                          foreignMarks: stage.foreignMarks)
                   })
        }
    }

    /// Each stage's most recent stderr lines (at most `stderr_tail`), in stage order.
    public func recentStderr() -> [[String]] {
        lock.withLock { stderrTails.map { Array($0.lines) } }
    }

    /// Starts the stages, the feeder and the ticker.
    ///
    /// Sets SIGPIPE to ignored for the whole process: a stage that exits
    /// while its stdin is being written must cost an `EPIPE`, not the daemon.
    /// (Children get the default disposition back when they are spawned.)
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let newest = try blockingAwait { [store] in try await store.lastSequence() }
        store.observeAppends { [weak self] events in
            guard let self, let last = events.last else { return }
            // Events just committed are fed straight from the commit when they are
            // next in line and fit the in-flight bound: no read-back, no extra hop.
            let lines = events.map { self.envelope($0) }
            self.lock.withLock {
                if last.seq > self.newestStored { self.newestStored = last.seq }
                if !self.stopping, events[0].seq == self.ledger.maxFed + 1,
                   self.ledger.inFlight + events.count <= self.config.maxInFlight {
                    for (seq, mark, line) in lines { self.ledger.feed(seq: seq, mark: mark, line: line) }
                    self.lock.signal(.writer(0))
                } else {
                    self.lock.signal(.feeder)
                }
            }
        }
        // `lastSaved` and `stages` are read under the lock: a stage's waiter
        // thread may already be handling its exit (and rescheduling it) by
        // the time this logs (ThreadSanitizer caught that read outside it).
        let checkpoint = lock.withLock {
            newestStored = max(newestStored, newest)
            for index in stages.indices { spawn(index) }
            return lastSaved
        }
        logger.notice("chain started", metadata: ["chain.checkpoint": "\(checkpoint)", "chain.stored": "\(newest)",
                                                  "chain.stages": "\(config.stages.map(\.name).joined(separator: ","))"])
        startThread(named: "chain-feeder") { [self] in feedLoop() }
        startThread(named: "chain-ticker") { [self] in tickLoop() }
    }

    /// Graceful stop: stops reading the store, lets every stage finish what it
    /// was given (closing stdin stage by stage), kills what is left at the
    /// deadline, and persists the checkpoint. Blocks; call from a thread.
    /// Returns whether everything drained in time.
    @discardableResult
    public func stop(deadline: Duration) -> Bool {
        let end = ContinuousClock.now + deadline
        lock.withLock {
            stopping = true
            for index in stages.indices {
                if case .backoff = stages[index].phase { stages[index].phase = .stopped }
            }
            lock.signalAll()
        }
        lock.lock()
        while !stages.allSatisfy({ $0.phase == .stopped }) && ContinuousClock.now < end {
            lock.wait(.stopper, timeout: .milliseconds(10))
        }
        let drained = stages.allSatisfy { $0.phase == .stopped }
        // Past the deadline: whatever still runs is killed, and killed means
        // unsettled however it exits (a handler may exit 0 on SIGTERM). Marked
        // under the same lock that stops any further spawn.
        stopped = true
        var leftovers: [ChildProcess] = []
        for index in stages.indices {
            if let process = stages[index].process {
                stages[index].killReason = "stopped: the chain did not drain within \(deadline)"
                leftovers.append(process)
            }
            stages[index].phase = .stopped
        }
        lock.signalAll()
        lock.unlock()
        for process in leftovers {
            _ = process.terminate(grace: .milliseconds(500))
        }
        saveCheckpoint(force: true)
        output.close()
        logger.notice("chain stopped", metadata: ["chain.checkpoint": "\(checkpoint)", "chain.drained": "\(drained)"])
        return drained
    }

    /// The chain lease was lost (shared store): stops feeding, SIGKILLs every
    /// stage's process group at once — no drain, which would let them write —,
    /// saves nothing, and cuts the output back to its last sync (lines past
    /// it were never covered by a checkpoint; the next holder feeds their
    /// events again). Blocks until the stages are reaped; call from a thread.
    public func abandon(reason: String) {
        var leftovers: [ChildProcess] = []
        lock.withLock {
            stopping = true
            stopped = true
            for index in stages.indices {
                if let process = stages[index].process {
                    stages[index].killReason = reason
                    _ = try? process.signalGroup(SIGKILL)
                    leftovers.append(process)
                }
                stages[index].phase = .stopped
            }
            lock.signalAll()
        }
        for process in leftovers {
            _ = process.terminate(grace: .zero)
        }
        let cut = output.abandon()
        logger.warning("chain abandoned: stages killed, nothing saved", metadata: [
            "reason": "\(reason)", "chain.checkpoint": "\(checkpoint)", "chain.output.bytes_cut": "\(cut)",
        ])
    }

    /// Lets go of a runner that was never started (its output file): used
    /// when it was made only to check the configuration.
    public func discard() {
        output.close()
    }

    // MARK: - Feeder

    /// Moves events from the store into the first stage, never more than
    /// `max_in_flight` unsettled: a slow chain grows the backlog in the store.
    func feedLoop() {
        while true {
            lock.lock()
            while !stopping && (ledger.inFlight >= config.maxInFlight || newestStored <= ledger.maxFed) {
                if !lock.wait(.feeder, timeout: Self.storePollInterval) && ledger.inFlight < config.maxInFlight {
                    // Nobody announced anything: look for events appended by another
                    // process (`hookpipe inject`, `replay`, `dlq retry`), which this
                    // process's commit observer never sees.
                    lock.unlock()
                    let newest = try? blockingAwait { [store] in try await store.lastSequence() }
                    lock.lock()
                    if let newest, newest > newestStored { newestStored = newest }
                }
            }
            if stopping {
                lock.unlock()
                return
            }
            let after = ledger.maxFed
            let announced = newestStored
            let want = min(512, config.maxInFlight - ledger.inFlight)
            lock.unlock()
            let events: [StoredEvent]
            do {
                events = try blockingAwait { [store] in try await store.events(after: after, limit: want) }
            } catch {
                logger.error("chain cannot read the store", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            // Envelopes are built before taking the lock, which the stages' threads share.
            let lines = events.map(envelope)
            lock.withLock {
                for (seq, mark, line) in lines where seq > ledger.maxFed {
                    ledger.feed(seq: seq, mark: mark, line: line)
                }
                // Nothing after `after` although more was announced (pruned rows):
                // wait for the next announcement instead of spinning.
                if events.isEmpty && newestStored == announced { newestStored = ledger.maxFed }
                lock.signal(.writer(0))
            }
        }
    }

    // MARK: - Ticker

    func tickLoop() {
        var lastCheckpoint = ContinuousClock.now
        while true {
            Thread.sleep(forTimeInterval: 0.01)
            let now = ContinuousClock.now
            var toKill: [(ChildProcess, Int)] = []
            let done: Bool = lock.withLock {
                if stopped { return true }
                lastTick = now
                for index in stages.indices {
                    if let process = enforceTimers(index, now: now) { toKill.append((process, index)) }
                }
                return false
            }
            if done { return }
            for (process, _) in toKill {
                // terminate blocks up to the grace; the waiter thread handles the exit.
                startThread(named: "stage-killer") { _ = process.terminate(grace: .seconds(2)) }
            }
            if now - lastCheckpoint >= config.checkpointInterval {
                lastCheckpoint = now
                saveCheckpoint(force: false)
            }
        }
    }

    /// Starts, flushes or kills stage `index` as its timers say. Returns a
    /// process to kill (outside the lock). Call with the lock held.
    private func enforceTimers(_ index: Int, now: ContinuousClock.Instant) -> ChildProcess? {
        switch stages[index].phase {
        case .backoff(let until) where now >= until && !stopping:
            spawn(index)
        case .running, .draining:
            if let closed = stages[index].stdinClosedAt, stages[index].killReason == nil,
               min(now - closed, ledger.idleAge(index, now: now) ?? (now - closed)) > stages[index].config.timeout {
                // Every run has a deadline, the isolation probe's included: stdin
                // closed and no progress for `timeout` since is hung.
                stages[index].phase = .killing
                stages[index].killReason = "timeout: still running \(stages[index].config.timeout) after its stdin was closed"
                logger.warning("stage did not exit after its stdin was closed",
                               metadata: stageMetadata(index, ["stage.timeout": "\(stages[index].config.timeout)"]))
                return stages[index].process
            }
            if stages[index].failed, let started = stages[index].startedAt, now - started >= stages[index].config.healthyAfter {
                stages[index].failed = false
                stages[index].backoff.recovered()
                logger.notice("stage recovered", metadata: stageMetadata(index))
            }
            if let waiting = ledger.waitAge(index, now: now), waiting > stages[index].config.timeout, stages[index].killReason == nil {
                stages[index].phase = .killing
                stages[index].killReason = "timeout: held one event for more than \(stages[index].config.timeout)"
                logger.warning("stage hung", metadata: stageMetadata(index, ["stage.timeout": "\(stages[index].config.timeout)"]))
                return stages[index].process
            }
            guard let age = ledger.idleAge(index, now: now) else { break }
            // At the in-flight bound a sink or filter blocks the whole chain, so it is
            // drained sooner — but only once it has been up for flush_after, or a slow
            // starter (an interpreter) would be flushed before it answers, forever.
            // A stage holding only answered events (the last of a burst) has done
            // its work; only the checkpoint waits, so it is drained much later.
            let atBound = ledger.inFlight >= config.maxInFlight
            let uptime = stages[index].startedAt.map { now - $0 } ?? .zero
            let answeredOnly = ledger.waitAge(index, now: now) == nil
            let flushAfter = answeredOnly ? config.flushAfter * Self.answeredFlushFactor
                : atBound && uptime >= config.flushAfter ? min(config.flushAfter, .milliseconds(50)) : config.flushAfter
            // Only a stage that has read everything it was given (its stdin pipe is
            // empty) and still shows no progress is a filter or sink to drain. One
            // that has not read its input yet is slow, not idle: closing its stdin
            // then could let a handler that exits on its own (after N events) take
            // unprocessed lines with it.
            if case .running = stages[index].phase, age > flushAfter, stages[index].isolation == nil,
               stages[index].process?.unreadInputBytes() == 0 {
                stages[index].phase = .draining(since: now)
                stages[index].closeRequested = true
                lock.signal(.writer(index))
                logger.debug("stage flush", metadata: stageMetadata(index, ["stage.held": "\(ledger.writtenCount(index))"]))
            }
        default:
            break
        }
        return nil
    }

    // MARK: - Checkpoints

    /// Persists the watermark if it moved (or always, when `force`). Output
    /// files are synced first, so a checkpoint never covers lost output.
    func saveCheckpoint(force: Bool) {
        checkpointSaves.lock()
        defer { checkpointSaves.unlock() }
        // Never backwards: a checkpoint only ever covers more.
        let (watermark, saved) = lock.withLock { (max(ledger.watermark, lastSaved), lastSaved) }
        guard force || watermark > saved else { return }
        do {
            try output.sync()
            try blockingAwait { [store] in try await store.saveCheckpoint(Self.consumer, seq: watermark) }
            lock.withLock { lastSaved = max(lastSaved, watermark) }
        } catch {
            logger.error("cannot save the chain checkpoint", metadata: ["error": "\(error)", "chain.checkpoint": "\(watermark)"])
        }
    }

    // MARK: - Helpers

    /// An event's line for the first stage, with a fresh mark.
    func envelope(_ event: StoredEvent) -> (seq: Int64, mark: UInt64, line: [UInt8]) {
        let mark = EventMarks.next()
        return (event.seq, mark, Envelope.line(seq: event.seq, metadata: event.metadata, payload: event.payload, mark: mark))
    }

    func stageMetadata(_ index: Int, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["stage.name": "\(stages[index].config.name)"]
        if let pid = stages[index].process?.pid { metadata["stage.pid"] = "\(pid)" }
        return metadata.merging(extra) { _, new in new }
    }
}
