import HookpipeProcess
import Testing

struct ExitStatusTests {
    @Test func descriptions() {
        #expect(HookpipeProcess.ExitStatus.exited(0).description == "exit 0")
        #expect(HookpipeProcess.ExitStatus.exited(3).description == "exit 3")
        #expect(HookpipeProcess.ExitStatus.signaled(9).description == "signal 9 (SIGKILL)")
        #expect(HookpipeProcess.ExitStatus.signaled(11).description == "signal 11 (SIGSEGV)")
        #expect(HookpipeProcess.ExitStatus.signaled(11, coreDumped: true).description == "signal 11 (SIGSEGV, core dumped)")
        #expect(HookpipeProcess.ExitStatus.signaled(15).description == "signal 15 (SIGTERM)")
        #expect(HookpipeProcess.ExitStatus.signaled(40).description == "signal 40")
    }

    @Test func onlyExitZeroIsSuccess() {
        #expect(HookpipeProcess.ExitStatus.exited(0).isSuccess)
        #expect(!HookpipeProcess.ExitStatus.exited(1).isSuccess)
        #expect(!HookpipeProcess.ExitStatus.signaled(15).isSuccess)
    }
}
