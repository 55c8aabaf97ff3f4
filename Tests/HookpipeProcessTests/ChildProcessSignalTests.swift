import Dispatch
import Glibc
import HookpipeProcess
import Testing

/// Process groups, termination and the child's signal state.
@Suite(.timeLimit(.minutes(1)))
struct ChildProcessSignalTests {
    @Test func terminateEndsTheWholeProcessGroup() throws {
        let child = try spawn("sh", "-c", "sleep 1000 & sleep 1000")
        defer { _ = child.terminate(grace: .zero) }  // in case a check failed early
        let group = child.pid
        // The shell (or the sleep it execs) and the background sleep.
        #expect(eventually { liveMembers(ofGroup: group).count >= 2 })
        let status = child.terminate(grace: .seconds(5))
        #expect(status == .signaled(SIGTERM))
        // The background sleep was the shell's child, not ours: it is gone
        // once it is dead, even if its zombie waits for init to reap it.
        #expect(eventually { liveMembers(ofGroup: group).isEmpty })
    }

    @Test func leftoversDieEvenWhenAnotherThreadReapsFirst() throws {
        // The shell heeds SIGTERM at once; what it started ignores it.
        let child = try spawn("sh", "-c", #"sh -c 'trap "" TERM; echo ready; exec sleep 1000' & wait"#)
        defer { _ = child.terminate(grace: .zero) }
        #expect(try readLine(child.stdoutFD) == "ready\n")
        let group = child.pid
        let waited = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = child.waitForExit()  // reaps as soon as the shell dies, racing terminate
            waited.signal()
        }
        let started = ContinuousClock.now
        #expect(child.terminate(grace: .seconds(20)) == .signaled(SIGTERM))
        #expect(started.duration(to: .now) < .seconds(10))
        #expect(waited.wait(timeout: .now() + 10) == .success)
        #expect(eventually { liveMembers(ofGroup: group).isEmpty })
    }

    @Test func childIgnoringSigtermIsKilledAfterTheGrace() throws {
        let child = try spawn("sh", "-c", "trap '' TERM; echo ready; sleep 1000")
        defer { _ = child.terminate(grace: .zero) }  // in case a check failed early
        #expect(try readLine(child.stdoutFD) == "ready\n")
        let started = ContinuousClock.now
        let status = child.terminate(grace: .milliseconds(300))
        let elapsed = started.duration(to: .now)
        #expect(status == .signaled(SIGKILL))
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(10))
        // SIGKILL is delivered asynchronously: the background sleep may take a moment to go.
        #expect(eventually { liveMembers(ofGroup: child.pid).isEmpty })
    }

    @Test func terminateReturnsPromptlyWhenTheChildHeedsSigterm() throws {
        let child = try spawn("sleep", "1000")
        defer { _ = child.terminate(grace: .zero) }  // in case a check failed early
        let started = ContinuousClock.now
        #expect(child.terminate(grace: .seconds(20)) == .signaled(SIGTERM))
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func sigpipeIsDefaultInTheChildEvenWhenTheParentIgnoresIt() throws {
        ignoreSIGPIPE()
        let child = try spawn("sh", "-c", "yes | head -n 1")
        #expect(text(try readToEnd(child.stdoutFD)) == "y\n")
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))

        // `yes` dies of SIGPIPE (status 141) instead of failing with EPIPE (status 1).
        let precise = try spawn("sh", "-c", "(yes; echo $? >&2) | head -n 1 >/dev/null")
        #expect(text(try readToEnd(precise.stderrFD)) == "141\n")
        #expect(precise.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func childStartsWithNoIgnoredOrBlockedStandardSignals() throws {
        ignoreSIGPIPE()
        // Block SIGUSR1 and SIGTERM in this thread while spawning: the child must not inherit the mask.
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let child = Result { try spawn("grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status") }
        pthread_sigmask(SIG_SETMASK, &previous, nil)

        let output = text(try readToEnd(try child.get().stdoutFD))
        var masks: [String: UInt64] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":")
            masks[String(parts[0])] = UInt64(parts[1].filter { !$0.isWhitespace }, radix: 16)
        }
        let standardSignals: UInt64 = 0x7fff_ffff  // signals 1...31
        #expect(masks["SigBlk"].map { $0 & standardSignals } == 0)
        #expect(masks["SigIgn"].map { $0 & standardSignals } == 0)
        #expect(try child.get().waitForExit(timeout: .seconds(10)) == .exited(0))
    }
}
