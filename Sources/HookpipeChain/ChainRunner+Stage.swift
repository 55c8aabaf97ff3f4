import Foundation
import HookpipeJSON
import HookpipeProcess
import HookpipeStore
import HookpipeSync
import Logging

/// Per-process work: spawning, the writer, the readers, and what an exit means.
extension ChainRunner {
    /// Longest line a stage may emit; longer lines are dropped as invalid.
    static let maxLineBytes = 16 << 20

    /// Starts stage `index`'s process and its threads. Call with the lock held.
    /// A stopped runner starts nothing.
    func spawn(_ index: Int) {
        guard !stopped else {
            stages[index].phase = .stopped
            return
        }
        let now = ContinuousClock.now
        let config = stages[index].config
        var environment = baseEnvironment
        environment["HOOKPIPE_STAGE"] = config.name
        environment["HOOKPIPE_STAGE_INDEX"] = String(index)
        environment.merge(config.environment) { _, configured in configured }
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(LaunchSpec(arguments: config.command, environment: environment,
                                                        workingDirectory: config.workingDirectory))
        } catch {
            let decision = stages[index].backoff.exited(after: .zero, jitter: Double.random(in: 0..<1))
            stages[index].failed = decision.failed
            stages[index].restarts += 1
            stages[index].phase = stopping ? .stopped : .backoff(until: now + decision.delay)
            logger.error("stage cannot start", metadata: stageMetadata(index, ["error": "\(error)", "stage.retry_in": "\(Self.milliseconds(decision.delay))"]))
            return
        }
        stages[index].generation += 1
        stages[index].process = process
        stages[index].phase = .running
        stages[index].startedAt = now
        stages[index].closeRequested = false
        stages[index].stdinClosedAt = nil
        stages[index].emittedMark = false
        stages[index].killReason = nil
        ledger.restarted(index)
        let isLast = index == stages.count - 1
        // One writer of the output: lines of an older process of the last stage are refused from now on.
        if isLast { output.claim(stages[index].generation) }
        lock.signal(.writer(index))  // the previous process's writer, if waiting, sees the new generation and exits
        let generation = stages[index].generation
        logger.info("stage started", metadata: stageMetadata(index, stages[index].isolation.map { ["stage.isolating": "\($0.suspects.count)"] } ?? [:]))
        let readerDone = DispatchSemaphore(value: 0)
        let stderrDone = DispatchSemaphore(value: 0)
        startThread(named: config.name, suffix: "-in") { [self] in writeLoop(index, generation, process) }
        startThread(named: config.name, suffix: "-out") { [self] in
            readStdout(index, generation, process, isLast: isLast, name: config.name)
            readerDone.signal()
        }
        startThread(named: config.name, suffix: "-err") { [self] in
            readStderr(index, process, name: config.name)
            stderrDone.signal()
        }
        startThread(named: config.name, suffix: "-wait") { [self] in
            let status = process.waitForExit()
            // What it left unread tells whether it consumed all its input; then
            // close the probe so a writer blocked on a full pipe gets EPIPE.
            let unread = process.unreadInputBytes()
            process.closeInputProbe()
            // Let the reader account for the last lines before judging the exit
            // (bounded: a grandchild may keep the pipe open, and then the exit is
            // no drain: lines may still come).
            let readerFinished = readerDone.wait(timeout: .now() + 2) == .success
            _ = stderrDone.wait(timeout: .now() + 1)
            lock.withLock { handleExit(index, generation, status, unreadInput: unread, readerFinished: readerFinished) }
        }
    }

    /// Whether everything upstream of `index` has stopped for good.
    func upstreamStopped(_ index: Int) -> Bool {
        index == 0 ? stopping : stages[index - 1].phase == .stopped
    }

    /// A delay as logs show it: whole milliseconds (`114ms`), not `0.1138830064767714 seconds`.
    static func milliseconds(_ duration: Duration) -> String {
        "\(Int((duration / .milliseconds(1)).rounded()))ms"
    }

    // MARK: - Writer

    func writeLoop(_ index: Int, _ generation: Int, _ process: ChildProcess) {
        var buffer: [UInt8] = []
        while true {
            lock.lock()
            var batch: ArraySlice<SettlementLedger.Item> = []
            while stages[index].generation == generation {
                let stage = stages[index]
                let isolatingDone = stage.isolation != nil && ledger.writtenCount(index) >= stage.writeLimit
                batch = ledger.unwritten(index, limit: stage.writeLimit).prefix(256)
                let finished = stopping && upstreamStopped(index) && batch.isEmpty
                if stage.closeRequested || isolatingDone || finished {
                    stages[index].stdinClosedAt = ContinuousClock.now
                    lock.unlock()
                    process.closeStdin()
                    return
                }
                if !batch.isEmpty, let mayWrite, !mayWrite() {
                    // Shared store, lease no longer trusted: nothing more is fed
                    // to any stage. Either a renewal restores the trust, or the
                    // lease is lost and the runner abandoned.
                    lock.wait(.writer(index), timeout: .milliseconds(10))
                    continue
                }
                if !batch.isEmpty || stage.phase != .running { break }
                lock.wait(.writer(index))
            }
            guard stages[index].generation == generation, stages[index].phase == .running, !batch.isEmpty else {
                lock.unlock()
                return
            }
            ledger.markWritten(index, count: batch.count, now: ContinuousClock.now)
            stages[index].linesIn += Int64(batch.count)
            lock.unlock()
            buffer.removeAll(keepingCapacity: true)
            for item in batch {
                buffer.append(contentsOf: item.line)
                buffer.append(0x0A)
            }
            do {
                try buffer.withUnsafeBytes { try SystemCall.writeAll(process.stdinFD, $0) }
            } catch {
                return  // the process is gone or going; its waiter decides what happens
            }
        }
    }

    // MARK: - Readers

    func readStdout(_ index: Int, _ generation: Int, _ process: ChildProcess, isLast: Bool, name: String) {
        var splitter = LineSplitter(maxLineLength: Self.maxLineBytes)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var atEOF = false
        while !atEOF {
            var raw: [LineSplitter.Line] = []
            let count = (try? chunk.withUnsafeMutableBytes { try SystemCall.read(process.stdoutFD, into: $0) }) ?? 0
            if count > 0 {
                chunk.withUnsafeBytes { splitter.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) { raw.append($0) } }
            } else {
                atEOF = true
                if let last = splitter.finish() { raw.append(last) }
            }
            guard !raw.isEmpty else { continue }
            // Lines byte-identical to the ones this process was given (cat, tee,
            // grep, …) are known valid with a known mark: compared, not parsed.
            // A process that is no longer the stage's current one settles and
            // forwards nothing: what it held is fed again to its successor.
            let known: [UInt64?]? = lock.withLock {
                guard stages[index].generation == generation else { return nil }
                stages[index].linesOut += Int64(raw.count)
                var known: [UInt64?] = []
                for line in raw {
                    guard case .complete(let bytes) = line, let item = ledger.expected(index, offset: known.count),
                          item.line == bytes else { break }
                    known.append(item.markInLine ? item.mark : nil)
                }
                return known
            }
            guard let known else { continue }
            var lines: [(mark: UInt64?, line: [UInt8])] = []
            lines.reserveCapacity(raw.count)
            for (position, line) in raw.enumerated() {
                if position < known.count, case .complete(let bytes) = line {
                    lines.append((known[position], bytes))
                } else if let valid = validate(line, stage: index, name: name, pid: process.pid) {
                    lines.append(valid)
                }
            }
            guard !lines.isEmpty else { continue }
            if isLast, !writeOutput(lines.map(\.line), index, generation, process, name: name) {
                continue  // not written, so not reported: what the process held is fed again to the next one
            }
            let now = ContinuousClock.now
            lock.withLock {
                guard stages[index].generation == generation else { return }
                var foreign = 0
                for (mark, line) in lines {
                    let emission = ledger.emitted(index, mark: mark, line: line, now: now)
                    if emission.marked { stages[index].emittedMark = true }
                    if emission.foreignMark { foreign += 1 }
                }
                if foreign > 0 {
                    if stages[index].foreignMarks == 0 {
                        logger.warning("stage emitted lines with a mark it was not given; they settle nothing",
                                       metadata: stageMetadata(index, ["count": "\(foreign)"]))
                    }
                    stages[index].foreignMarks += foreign
                }
                // Room in this stage, lines for the next one, maybe room in the chain.
                lock.signal(.writer(index))
                if !isLast { lock.signal(.writer(index + 1)) }
                lock.signal(.feeder)
            }
        }
    }

    /// Writes the last stage's lines to the chain's output, retrying a failed
    /// write (a full disk) with growing pauses for as long as `process` is the
    /// stage's current one. Returns whether the lines were written; lines not
    /// written are never reported, so nothing after them settles either.
    func writeOutput(_ lines: [[UInt8]], _ index: Int, _ generation: Int, _ process: ChildProcess, name: String) -> Bool {
        var pause = Duration.milliseconds(50)
        var lastLogged: ContinuousClock.Instant?
        while true {
            do throws(ChainOutputSink.WriteError) {
                try output.write(lines, as: generation)
                if lastLogged != nil {
                    lock.withLock { outputFailing = false }
                    logger.notice("chain output writable again", metadata: ["stage.name": "\(name)"])
                }
                return true
            } catch .notOwner {
                return false
            } catch .notPermitted {
                // The lease is gone: nothing is reported, so every event
                // concerned stays unsettled for the next holder.
                return false
            } catch {
                let now = ContinuousClock.now
                if lastLogged.map({ now - $0 >= .seconds(10) }) ?? true {
                    lastLogged = now
                    logger.error("cannot write the chain output; retrying, nothing past it settles",
                                 metadata: ["stage.name": "\(name)", "error": "\(error)", "chain.retry_in": "\(Self.milliseconds(pause))"])
                }
                let current = lock.withLock {
                    outputFailing = true
                    return !stopped && stages[index].generation == generation && stages[index].process === process
                }
                guard current else { return false }
                Thread.sleep(forTimeInterval: Double(pause.microseconds) / 1e6)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// Checks one emitted line with jansson: a JSON object goes on (with its
    /// `mark`, if it carries one); anything else is logged with a snippet and counted.
    func validate(_ line: LineSplitter.Line, stage index: Int, name: String, pid: Int32) -> (mark: UInt64?, line: [UInt8])? {
        switch line {
        case .complete(let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
            switch JSONDocument.parse(bytes) {
            case .success(let document) where document.isObject:
                // Only 16 hex digits can be a mark; anything else is no claim at all.
                return (document.scalarText(at: "/mark").flatMap(Envelope.parseMark), bytes)
            case .success:
                reportInvalid(name, pid: pid, reason: "not a JSON object", snippet: bytes)
            case .failure(let error):
                reportInvalid(name, pid: pid, reason: "\(error)", snippet: bytes)
            }
        case .oversized(let prefix, let length):
            reportInvalid(name, pid: pid, reason: "line of \(length) bytes exceeds \(Self.maxLineBytes)", snippet: prefix)
        }
        return nil
    }

    private func reportInvalid(_ name: String, pid: Int32, reason: String, snippet: [UInt8]) {
        lock.withLock { invalidLines += 1 }
        logger.warning("stage emitted an invalid line; not forwarded", metadata: [
            "stage.name": "\(name)", "stage.pid": "\(pid)", "reason": "\(reason)",
            "line.snippet": "\(String(decoding: snippet.prefix(120), as: UTF8.self))",
        ])
    }

    func readStderr(_ index: Int, _ process: ChildProcess, name: String) {
        var splitter = LineSplitter(maxLineLength: 8192)
        var chunk = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let count = (try? chunk.withUnsafeMutableBytes { try SystemCall.read(process.stderrFD, into: $0) }) ?? 0
            var lines: [String] = []
            let collect = { (line: LineSplitter.Line) in
                switch line {
                case .complete(let bytes): lines.append(String(decoding: bytes, as: UTF8.self))
                case .oversized(let prefix, _): lines.append(String(decoding: prefix, as: UTF8.self) + "…")
                }
            }
            if count > 0 {
                chunk.withUnsafeBytes { splitter.append(UnsafeRawBufferPointer(rebasing: $0[0..<count]), collect) }
            } else if let last = splitter.finish() {
                collect(last)
            }
            let now = ContinuousClock.now
            for line in lines {
                let (log, suppressed) = lock.withLock { stderrTails[index].record(line, now: now) }
                if suppressed > 0 {
                    logger.warning("stage stderr lines suppressed", metadata: ["stage.name": "\(name)", "stage.pid": "\(process.pid)", "count": "\(suppressed)"])
                }
                if log {
                    logger.notice("stage stderr", metadata: ["stage.name": "\(name)", "stage.pid": "\(process.pid)", "line": "\(line)"])
                }
            }
            if count <= 0 { return }
        }
    }

    // MARK: - Exits

    /// Decides what a process's exit means. Call with the lock held.
    ///
    /// Drained — everything it was given is done — only when it exited
    /// cleanly after we closed its stdin, left no input unread, its stdout
    /// reached end of file, and hookpipe was not killing it: a handler that
    /// exits early (like `head -n 7`) has its unread lines fed again to the
    /// next process, and one that exits 0 on the SIGTERM of a deadline
    /// settles nothing.
    func handleExit(_ index: Int, _ generation: Int, _ status: ExitStatus, unreadInput: Int?, readerFinished: Bool) {
        guard stages[index].generation == generation else { return }
        let now = ContinuousClock.now
        let uptime = stages[index].startedAt.map { now - $0 } ?? .zero
        let drained = ExitEvidence(exitedCleanly: status.isSuccess, stdinClosedByHookpipe: stages[index].stdinClosed,
                                   killedByHookpipe: stages[index].killReason != nil, unreadInput: unreadInput,
                                   stdoutReadToEnd: readerFinished).isDrain
        let failure = !status.isSuccess || stages[index].killReason != nil
        let reason = stages[index].killReason ?? status.description
        let suspects = ledger.written(index)
        stages[index].process = nil
        defer { lock.signalAll() }
        if stopped {
            // Killed at the stop deadline (or exiting after it): fed again after the next start.
            ledger.restarted(index)
            stages[index].phase = .stopped
            return
        }

        if stages[index].isolation != nil {
            continueIsolation(index, drained: drained, reason: reason, uptime: uptime, now: now)
            return
        }
        if drained {
            // A stage that passes seq on and still left events unpassed either
            // filtered them or exited on its own holding buffered input (like a
            // handler that quits after k events). Feed them once more: a filter
            // drops the same ones again, and the same leftover twice settles.
            let leftover = ledger.unanswered(index).map(\.seq)
            if stages[index].emittedMark, !leftover.isEmpty, leftover != stages[index].unconfirmedLeftover {
                stages[index].unconfirmedLeftover = leftover
                ledger.restarted(index)
                stages[index].drains += 1
                spawn(index)
                return
            }
            stages[index].unconfirmedLeftover = []
            ledger.drained(index)
            stages[index].drains += 1
            stages[index].poison.reset()
            stages[index].backoff.recovered()
            stages[index].failed = false
            spawnOrStop(index)
            return
        }
        logger.log(level: failure ? .warning : .info, "stage exited", metadata: stageMetadata(index, [
            "stage.status": "\(reason)", "stage.uptime": "\(uptime)", "stage.held": "\(suspects.count)",
        ]))
        ledger.restarted(index)
        stages[index].restarts += 1
        if failure, stages[index].poison.failed(head: suspects.first?.seq) {
            stages[index].poison.reset()
            stages[index].isolation = Isolation(suspects: suspects.map(\.seq))
            logger.warning("stage keeps failing with the same event in flight; isolating the suspects one at a time",
                           metadata: stageMetadata(index, ["stage.suspects": "\(suspects.map(\.seq))"]))
            stages[index].phase = stopping ? .stopped : .backoff(until: now + stages[index].config.backoffMin)
            return
        }
        scheduleRestart(index, uptime: uptime, now: now)
    }

    /// Restarts a drained stage at once, or stops it when the chain is
    /// stopping and nothing is left for it. Call with the lock held.
    private func spawnOrStop(_ index: Int) {
        if stopping && upstreamStopped(index) && ledger.count(index) == 0 {
            stages[index].phase = .stopped
        } else {
            spawn(index)
        }
    }

    /// Backs off before the next start (or stops, when the chain is stopping).
    private func scheduleRestart(_ index: Int, uptime: Duration, now: ContinuousClock.Instant) {
        if stopping {
            stages[index].phase = .stopped
            return
        }
        let decision = stages[index].backoff.exited(after: uptime, jitter: Double.random(in: 0..<1))
        if decision.failed && !stages[index].failed {
            logger.error("stage is crash-looping; marked failed, retrying at the backoff cap",
                         metadata: stageMetadata(index, ["stage.retry_in": "\(Self.milliseconds(decision.delay))"]))
        }
        stages[index].failed = decision.failed
        stages[index].phase = .backoff(until: now + decision.delay)
    }

    /// One step of an isolation round: the probe, or one suspect on its own.
    private func continueIsolation(_ index: Int, drained: Bool, reason: String, uptime: Duration, now: ContinuousClock.Instant) {
        guard var isolation = stages[index].isolation else { return }
        if isolation.probed, !drained, ledger.writtenCount(index) == 0 {
            // It failed before it was given its suspect: nothing to learn about
            // the events, and no reason to retry at once. Backs off like any failure.
            ledger.restarted(index)
            stages[index].restarts += 1
            scheduleRestart(index, uptime: uptime, now: now)
            return
        }
        if !isolation.probed {
            guard drained else {
                stages[index].isolation = nil
                ledger.restarted(index)
                stages[index].restarts += 1
                logger.error("stage fails even with no input; it is broken, its events are not blamed",
                             metadata: stageMetadata(index, ["stage.status": "\(reason)"]))
                scheduleRestart(index, uptime: uptime, now: now)
                return
            }
            isolation.probed = true
        } else if drained {
            isolation.successes += 1
            let seq = ledger.written(index).first?.seq
            ledger.drained(index)
            isolation.suspects.removeAll { $0 == seq }
        } else if let front = ledger.written(index).first?.seq, isolation.failedOnce.insert(front).inserted {
            // One failure on its own may be a coincidence (an OOM kill, a signal
            // from outside): the suspect gets a second run before it is blamed.
            ledger.restarted(index)
            stages[index].restarts += 1
        } else {
            if let item = ledger.parkFront(index) {
                isolation.failures.append(.init(item: item, reason: reason, stderrTail: Array(stderrTails[index].lines)))
                isolation.suspects.removeAll { $0 == item.seq }
            }
            ledger.restarted(index)
            stages[index].restarts += 1
        }
        // Suspects settled meanwhile (passed on by a later seq) need no trial.
        isolation.suspects.removeAll { !ledger.holds(index, seq: $0) }
        if !isolation.suspects.isEmpty {
            stages[index].isolation = isolation
            if stopping { stages[index].phase = .stopped } else { spawn(index) }
            return
        }
        stages[index].isolation = nil
        if isolation.blamesEvents {
            // The store's writer thread takes this lock to hand over new
            // events: the dead letters are written outside it.
            stages[index].phase = .deadLettering
            let letters = isolation.failures.map { deadLetter(index, $0) }
            startThread(named: "dead-letters") { [self] in
                let stored = letters.filter(storeDeadLetter)
                lock.withLock {
                    for letter in stored {
                        ledger.dropParked(index, seq: letter.seq)
                        deadLettered += 1
                    }
                    ledger.unpark(index)
                    stages[index].backoff.recovered()
                    stages[index].failed = false
                    if stopped {
                        stages[index].phase = .stopped
                    } else {
                        spawnOrStop(index)
                    }
                    lock.signalAll()
                }
            }
        } else {
            ledger.unpark(index)
            if !isolation.failures.isEmpty {
                logger.error("every suspect failed on its own; the stage looks broken, not the events",
                             metadata: stageMetadata(index, ["stage.suspects": "\(isolation.total)"]))
                scheduleRestart(index, uptime: .zero, now: now)
            } else {
                spawnOrStop(index)
            }
        }
    }

    /// The dead letter for a suspect that failed alone. Call with the lock held.
    func deadLetter(_ index: Int, _ failure: Isolation.Failure) -> DeadLetter {
        DeadLetter(seq: failure.item.seq, stage: stages[index].config.name, reason: failure.reason,
                   stderrTail: failure.stderrTail, line: failure.item.line,
                   createdAtMicros: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }

    /// Stores a dead letter durably; only then may its event count as settled.
    /// Returns false (the event stays in the chain) when the store refuses.
    /// Call without the lock.
    func storeDeadLetter(_ letter: DeadLetter) -> Bool {
        do {
            _ = try blockingAwait { [store] in try await store.addDeadLetter(letter) }
        } catch {
            logger.error("cannot store a dead letter; the event stays in the chain",
                         metadata: ["stage.name": "\(letter.stage)", "hook.seq": "\(letter.seq)", "error": "\(error)"])
            return false
        }
        logger.error("event moved to the dead-letter store", metadata: [
            "stage.name": "\(letter.stage)", "hook.seq": "\(letter.seq)", "stage.status": "\(letter.reason)",
        ])
        return true
    }
}
