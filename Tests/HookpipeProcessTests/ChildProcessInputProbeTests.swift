import Glibc
import HookpipeProcess
import Testing

@Suite("ChildProcess input probe")
struct ChildProcessInputProbeTests {
    func write(_ text: String, to child: ChildProcess) throws {
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBytes { try SystemCall.writeAll(child.stdinFD, UnsafeRawBufferPointer($0)) }
    }

    @Test("a child that read one line and exited leaves the rest unread, and the probe says how much")
    func unreadAfterEarlyExit() throws {
        // sh's `read` takes one byte at a time from a pipe, so it leaves the rest.
        let child = try spawn("sh", "-c", "IFS= read -r line; exit 0")
        try write("first\nsecond line\n", to: child)
        child.closeStdin()
        #expect(child.waitForExit() == .exited(0))
        #expect(child.unreadInputBytes() == 12)
        child.closeInputProbe()
        #expect(child.unreadInputBytes() == nil)
    }

    @Test("a child that read everything leaves nothing unread")
    func nothingUnread() throws {
        let child = try spawn("cat")
        try write("a\nb\nc\n", to: child)
        child.closeStdin()
        var buffer = [UInt8](repeating: 0, count: 64)
        var received = 0
        while received < 6 {
            let count = try buffer.withUnsafeMutableBytes { try SystemCall.read(child.stdoutFD, into: $0) }
            if count == 0 { break }
            received += count
        }
        #expect(child.waitForExit() == .exited(0))
        #expect(child.unreadInputBytes() == 0)
    }
}
