import Glibc
import HookpipeProcess
import Testing

/// Environment, command lookup, working directory and launch errors.
@Suite(.timeLimit(.minutes(1)))
struct ChildProcessLaunchTests {
    @Test func childSeesExactlyTheGivenEnvironment() throws {
        let environment = ["PATH": "/usr/bin:/bin", "FOO": "bar", "SPACED": "a = b c"]
        let child = try spawn("env", environment: environment)
        let lines = text(try readToEnd(child.stdoutFD)).split(separator: "\n").map(String.init).sorted()
        #expect(lines == ["FOO=bar", "PATH=/usr/bin:/bin", "SPACED=a = b c"])
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func bareCommandIsFoundInTheGivenPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.file("hookpipe-test-tool", "#!/bin/sh\necho found \"$@\"\n")
        let child = try spawn("hookpipe-test-tool", "x", environment: ["PATH": "/nonexistent:\(directory.path):/usr/bin:/bin"])
        #expect(text(try readToEnd(child.stdoutFD)) == "found x\n")
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func commandAbsentFromTheGivenPathIsAClearError() {
        // `cat` is in the test process's PATH, but not in the child's.
        let error = #expect(throws: SpawnError.self) {
            try spawn("cat", environment: ["PATH": "/nonexistent-hookpipe"])
        }
        #expect(error?.code == .commandNotFound)
        #expect(error?.message == "command 'cat' not found in PATH '/nonexistent-hookpipe'")
    }

    @Test func bareCommandWithoutPathIsAClearError() {
        let error = #expect(throws: SpawnError.self) { try spawn("cat", environment: [:]) }
        #expect(error?.code == .commandNotFound)
        #expect(error?.message.contains("no PATH") == true)
    }

    @Test func missingOrUnusableCommandPathIsAClearError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plain = try directory.file("plain", "echo hi\n", mode: 0o644)

        let missing = #expect(throws: SpawnError.self) { try spawn("/nonexistent/tool") }
        #expect(missing?.code == .commandNotFound)
        #expect(missing?.message == "command '/nonexistent/tool' does not exist")

        let notExecutable = #expect(throws: SpawnError.self) { try spawn(plain) }
        #expect(notExecutable?.message == "command '\(plain)' is not executable")

        let inPath = #expect(throws: SpawnError.self) { try spawn("plain", environment: ["PATH": directory.path]) }
        #expect(inPath?.message == "command 'plain' not found in PATH '\(directory.path)' ('\(plain)' is not executable)")
    }

    @Test func execRefusalIsASpawnFailure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = try directory.file("garbage", "\u{7f}ELF not really\n")
        let error = #expect(throws: SpawnError.self) { try spawn(garbage) }
        #expect(error?.code == .spawnFailed)
        #expect(error?.message == "cannot start '\(garbage)': posix_spawn: Exec format error")
    }

    @Test func workingDirectoryIsApplied() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try spawn("pwd", workingDirectory: directory.path)
        let real = try #require(realpath(directory.path, nil))
        defer { free(real) }
        #expect(text(try readToEnd(child.stdoutFD)) == String(cString: real) + "\n")
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func relativeCommandIsRelativeToTheWorkingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.file("tool", "#!/bin/sh\necho relative\n")
        let child = try spawn("./tool", workingDirectory: directory.path)
        #expect(text(try readToEnd(child.stdoutFD)) == "relative\n")
        #expect(child.waitForExit(timeout: .seconds(10)) == .exited(0))
    }

    @Test func missingWorkingDirectoryIsAClearError() throws {
        let error = #expect(throws: SpawnError.self) { try spawn("pwd", workingDirectory: "/nonexistent-hookpipe-dir") }
        #expect(error?.code == .badWorkingDirectory)
        #expect(error?.message == "working directory '/nonexistent-hookpipe-dir' cannot be used: No such file or directory")

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("file", "")
        let notDirectory = #expect(throws: SpawnError.self) { try spawn("pwd", workingDirectory: file) }
        #expect(notDirectory?.message == "working directory '\(file)' is not a directory")
    }

    @Test func specsThatCannotBePassedToTheSystemAreRejected() {
        let empty = #expect(throws: SpawnError.self) { try ChildProcess.spawn(LaunchSpec(arguments: [], environment: [:])) }
        #expect(empty?.code == .invalidSpec)
        let nul = #expect(throws: SpawnError.self) { try spawn("echo", "a\u{0}b") }
        #expect(nul?.message == "argument 1 of 'echo' contains a NUL byte")
        let name = #expect(throws: SpawnError.self) { try spawn("env", environment: ["A=B": "c", "PATH": "/usr/bin"]) }
        #expect(name?.code == .invalidSpec)
    }
}
