import Foundation
import Glibc
import HookpipeProcess

/// The environment most tests give their children.
let basicEnvironment = ["PATH": "/usr/bin:/bin"]

struct TestTimeout: Error, CustomStringConvertible {
    let description: String
}

/// Spawns `arguments` with ``basicEnvironment`` unless told otherwise.
func spawn(
    _ arguments: String...,
    environment: [String: String] = basicEnvironment,
    workingDirectory: String? = nil
) throws -> ChildProcess {
    try ChildProcess.spawn(LaunchSpec(arguments: arguments, environment: environment, workingDirectory: workingDirectory))
}

/// The daemon ignores SIGPIPE; so do tests that write to pipes (idempotent).
func ignoreSIGPIPE() {
    signal(SIGPIPE, SIG_IGN)
}

/// Waits until `fd` is readable (data or end of file), or throws after `timeout`.
func waitReadable(_ fd: Int32, timeout: Duration) throws {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    while true {
        let ready = poll(&entry, 1, milliseconds)
        if ready > 0 { return }
        if ready == 0 { throw TestTimeout(description: "fd \(fd) not readable within \(timeout)") }
        if errno != EINTR { throw TestTimeout(description: "poll failed: \(errno)") }
    }
}

/// Reads `fd` until end of file; throws if any single wait exceeds `timeout`.
func readToEnd(_ fd: Int32, timeout: Duration = .seconds(10)) throws -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        try waitReadable(fd, timeout: timeout)
        let count = try buffer.withUnsafeMutableBytes { try SystemCall.read(fd, into: $0) }
        if count == 0 { return result }
        result += buffer[..<count]
    }
}

/// Reads from `fd` until a `\n` arrives; returns everything read.
func readLine(_ fd: Int32, timeout: Duration = .seconds(10)) throws -> String {
    var result: [UInt8] = []
    var byte: UInt8 = 0
    while result.last != 0x0A {
        try waitReadable(fd, timeout: timeout)
        let count = try withUnsafeMutableBytes(of: &byte) { try SystemCall.read(fd, into: $0) }
        if count == 0 { break }
        result.append(byte)
    }
    return String(decoding: result, as: UTF8.self)
}

func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Pids of the processes in group `pgid` that are alive (not zombies), from /proc.
func liveMembers(ofGroup pgid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry),
            let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state, ppid, pgrp, ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == pgid else { return nil }
        return pid
    }
}

/// A fresh directory under /tmp, with its real path (no symlinks).
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/hookpipe-process-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw TestTimeout(description: "mkdtemp failed") }
        path = String(cString: created)
    }

    /// Writes `contents` to `name` in the directory with permissions `mode`.
    @discardableResult
    func file(_ name: String, _ contents: String, mode: Int = 0o755) throws -> String {
        let filePath = "\(path)/\(name)"
        try contents.write(toFile: filePath, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: filePath)
        return filePath
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
