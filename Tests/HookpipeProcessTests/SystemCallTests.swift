import Dispatch
import Glibc
import HookpipeProcess
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SystemCallTests {
    @Test func writeToAPipeWithoutReaderNamesWrite() throws {
        ignoreSIGPIPE()
        let pipe = try SystemCall.pipe()
        defer { try? SystemCall.close(pipe.write) }
        try SystemCall.close(pipe.read)
        let error = #expect(throws: SystemCallError.self) {
            try Array("x\n".utf8).withUnsafeBytes { try SystemCall.writeAll(pipe.write, $0) }
        }
        #expect(error?.call == "write")
        #expect(error?.isBrokenPipe == true)
        #expect(error?.description == "write(2) on fd \(pipe.write): Broken pipe")
    }

    @Test func writeAllLoopsOverShortWritesAndReadSeesEndOfFile() throws {
        let pipe = try SystemCall.pipe()
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // far more than a pipe holds
        let writer = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? payload.withUnsafeBytes { try SystemCall.writeAll(pipe.write, $0) }
            try? SystemCall.close(pipe.write)
            writer.signal()
        }
        let received = try readToEnd(pipe.read)
        #expect(writer.wait(timeout: .now() + 10) == .success)
        #expect(received == payload)
        var byte: UInt8 = 0
        #expect(try withUnsafeMutableBytes(of: &byte) { try SystemCall.read(pipe.read, into: $0) } == 0)
        try SystemCall.close(pipe.read)
    }

    @Test func pipeEndsAreCloseOnExec() throws {
        let pipe = try SystemCall.pipe()
        defer {
            try? SystemCall.close(pipe.read)
            try? SystemCall.close(pipe.write)
        }
        #expect(fcntl(pipe.read, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(pipe.write, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func killOfAMissingProcessIsFalseNotAnError() throws {
        #expect(try SystemCall.kill(Int32.max, 0) == false)
        #expect(try SystemCall.kill(getpid(), 0) == true)
        let error = #expect(throws: SystemCallError.self) { try SystemCall.kill(getpid(), 12345) }
        #expect(error?.call == "kill")
        #expect(error?.errno == EINVAL)
    }

    @Test func closeOfABadDescriptorNamesClose() {
        let error = #expect(throws: SystemCallError.self) { try SystemCall.close(-1) }
        #expect(error?.description == "close(2) on fd -1: Bad file descriptor")
    }

    @Test func renameAndFsync() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try directory.file("a.tmp", "data")
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        try SystemCall.fsync(fd)
        try SystemCall.close(fd)
        try SystemCall.rename(source, "\(directory.path)/a")
        #expect(access("\(directory.path)/a", F_OK) == 0)

        let error = #expect(throws: SystemCallError.self) { try SystemCall.rename(source, "\(directory.path)/b") }
        #expect(error?.description == "rename(2) on '\(source)' -> '\(directory.path)/b': No such file or directory")
    }
}
