import Foundation
import HookpipeSync

/// Runs the `hookpipe` executable built next to the tests.
enum HookpipeBinary {
    /// `$HOOKPIPE_BINARY` if set; else the `hookpipe` built next to the running
    /// test bundle (so a sanitizer build in `--scratch-path .build-asan` tests its
    /// own binary); else `.build/debug/hookpipe` or `.build/release/hookpipe`,
    /// found from this file's location.
    static var path: String {
        if let override = ProcessInfo.processInfo.environment["HOOKPIPE_BINARY"], !override.isEmpty {
            return override
        }
        if let sibling = builtProduct("hookpipe") { return sibling }
        let candidates = [".build/debug/hookpipe", ".build/release/hookpipe"].map { packageRoot + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// The package's root directory, found from this file's location.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The executable `name` built next to the running test bundle, if there is one.
    static func builtProduct(_ name: String) -> String? {
        guard let runner = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let sibling = URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` (by default `hookpipe`) to completion (bounded by `timeout`), capturing both outputs.
    static func run(_ arguments: [String], executable: String = path, environment: [String: String] = [:],
                    stdin: String? = nil, timeout: TimeInterval = 60) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = ReadAll(out.fileHandleForReading), errData = ReadAll(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: outData.text(), stderr: errData.text())
    }

    /// Runs blocking `work` (``run(_:executable:environment:stdin:timeout:)``
    /// and the like) on a thread of its own and awaits it: a child that runs
    /// for minutes then holds none of the cooperative pool's threads (as many
    /// as cores, two here), which the suite's async tests need meanwhile.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            startThread(named: "test-child") { continuation.resume(with: Swift.Result { try work() }) }
        }
    }
}

/// Drains a pipe on its own thread so a chatty child never blocks.
final class ReadAll: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }.start()
    }

    /// Everything read so far.
    func snapshot() -> String {
        lock.withLock { String(decoding: data, as: UTF8.self) }
    }

    /// Waits for end of file, then returns everything.
    func text() -> String {
        done.wait()
        return snapshot()
    }
}
