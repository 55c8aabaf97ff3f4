import Dispatch
import Foundation
import Glibc
import HookpipeProcess
import Testing

/// Pipes, exit statuses and reaping, with real children.
@Suite(.timeLimit(.minutes(1)))
struct ChildProcessTests {
    @Test func catEchoesLinesAndExitsZeroAfterStdinCloses() throws {
        ignoreSIGPIPE()
        let child = try spawn("cat")
        defer { _ = child.terminate(grace: .zero) }  // in case a check failed early
        let input = Array("{\"a\":1}\n\ntwo\r\nthree\n".utf8)
        try input.withUnsafeBytes { try SystemCall.writeAll(child.stdinFD, $0) }
        child.closeStdin()
        child.closeStdin()  // idempotent
        #expect(child.stdinFD == -1)
        #expect(try readToEnd(child.stdoutFD) == input)
        #expect(try readToEnd(child.stderrFD).isEmpty)
        let status = child.waitForExit(timeout: .seconds(10))
        #expect(status == .exited(0))
        #expect(status?.isSuccess == true)
        #expect(child.waitForExit() == .exited(0))  // cached
    }

    /// A child dropped while it runs is reaped when it exits, by a thread
    /// named after it (so `top -H` tells what it is), which then ends.
    @Test func droppedChildIsReapedByANamedThread() throws {
        var child: ChildProcess? = try spawn("sleep", "30")
        let pid = try #require(child?.pid)
        child = nil
        let name = "reaper-\(pid)"
        func reaperRuns() -> Bool {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return tasks.contains { task in
                (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .newlines) == name
            }
        }
        /// Whether `condition` held within 10 s.
        func eventually(_ condition: () -> Bool) -> Bool {
            let deadline = ContinuousClock.now + .seconds(10)
            while !condition() && ContinuousClock.now < deadline { usleep(10_000) }
            return condition()
        }
        #expect(eventually(reaperRuns), "no thread named \(name)")
        #expect(kill(pid, SIGKILL) == 0)
        // Reaped: /proc/<pid> disappears (a zombie would keep it).
        #expect(eventually { access("/proc/\(pid)", F_OK) != 0 }, "child \(pid) was not reaped")
        #expect(eventually { !reaperRuns() }, "the reaper thread did not end")
    }

    @Test func exitCodeIsReported() throws {
        let status = try spawn("sh", "-c", "exit 3").waitForExit(timeout: .seconds(10))
        #expect(status == .exited(3))
        #expect(status?.isSuccess == false)
        #expect(status?.description == "exit 3")
    }

    @Test func deathBySignalIsReported() throws {
        let status = try #require(try spawn("sh", "-c", "kill -SEGV $$").waitForExit(timeout: .seconds(10)))
        guard case .signaled(11, _) = status else {
            Issue.record("expected SIGSEGV, got \(status)")
            return
        }
        #expect(status.description.hasPrefix("signal 11 (SIGSEGV"))
    }

    @Test func sigkillIsReportedAndSignallingAfterReapingIsANoOp() throws {
        let child = try spawn("sleep", "1000")
        defer { _ = child.terminate(grace: .zero) }  // in case a check failed early
        #expect(child.waitForExit(timeout: .zero) == nil)
        #expect(try child.signalGroup(SIGKILL))
        let status = child.waitForExit(timeout: .seconds(10))
        #expect(status == .signaled(9))
        #expect(status?.description == "signal 9 (SIGKILL)")
        #expect(try child.signalGroup(SIGKILL) == false)
        #expect(child.terminate(grace: .seconds(1)) == .signaled(9))
    }

    @Test func stderrIsCapturedSeparately() throws {
        let child = try spawn("sh", "-c", "echo out; echo oops >&2")
        #expect(text(try readToEnd(child.stdoutFD)) == "out\n")
        #expect(text(try readToEnd(child.stderrFD)) == "oops\n")
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func parentEndsAreCloseOnExec() throws {
        let child = try spawn("cat")
        defer { _ = child.terminate(grace: .seconds(1)) }
        for fd in [child.stdinFD, child.stdoutFD, child.stderrFD] {
            #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0, "fd \(fd)")
        }
    }

    @Test func parentEndsDoNotLeakIntoALaterChild() throws {
        let first = try spawn("cat")
        defer { _ = first.terminate(grace: .zero) }  // in case a check failed early
        let second = try spawn("cat")
        defer { _ = second.terminate(grace: .seconds(1)) }
        // Had the second cat inherited the write end of the first's stdin,
        // the first would never read end of file.
        first.closeStdin()
        #expect(first.waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(second.waitForExit(timeout: .zero) == nil)
    }

    @Test func childHasOnlyTheThreeStandardDescriptors() throws {
        let child = try spawn("sh", "-c", "ls /proc/$$/fd")
        let listed = text(try readToEnd(child.stdoutFD)).split(separator: "\n")
        #expect(listed == ["0", "1", "2"])
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func concurrentWaitAndTerminateSeeTheSameStatus() throws {
        let child = try spawn("sleep", "1000")
        defer { _ = child.terminate(grace: .zero) }  // in case a check failed early
        let waited = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var fromWaiter: HookpipeProcess.ExitStatus?
        DispatchQueue.global().async {
            fromWaiter = child.waitForExit()
            waited.signal()
        }
        let fromTerminate = child.terminate(grace: .seconds(5))
        #expect(waited.wait(timeout: .now() + 10) == .success)
        #expect(fromTerminate == .signaled(SIGTERM))
        #expect(fromWaiter == fromTerminate)
    }

    @Test func processGroupIsTheChildsOwn() throws {
        let child = try spawn("sleep", "1000")
        defer { _ = child.terminate(grace: .seconds(1)) }
        #expect(getpgid(child.pid) == child.pid)
        #expect(getpgid(child.pid) != getpgrp())
    }
}
