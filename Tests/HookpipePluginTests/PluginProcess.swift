import Foundation

/// Runs a script from `plugins/` as the chain would: a clean environment, the
/// input on stdin (closed at its end), both outputs captured, bounded in time.
enum PluginProcess {
    /// The package root, found from this file's location.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output split into lines (without their newline).
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

        /// Each output line parsed as a JSON object (`nil` for a line that is not one).
        var objects: [[String: Any]?] { lines.map(PluginProcess.object) }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var command: [String]
        var description: String { "\(command.joined(separator: " ")) did not exit in time" }
    }

    /// Runs `command` (argv; the first element is looked up in `PATH`) from the package root.
    static func run(_ command: [String], environment: [String: String] = [:], input: String,
                    timeout: TimeInterval = 20) throws -> Result {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let inPath = scratch.path + "/stdin", outPath = scratch.path + "/stdout", errPath = scratch.path + "/stderr"
        try Data(input.utf8).write(to: URL(fileURLWithPath: inPath))
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.currentDirectoryURL = root
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                               "LANG": "C.UTF-8"].merging(environment) { _, new in new }
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TimedOut(command: command)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                      stderr: try String(contentsOfFile: errPath, encoding: .utf8))
    }

    /// The fixture envelopes, one NDJSON line each: MercadoPago, Stripe, GitHub, Shopify.
    static func envelopes() throws -> [String] {
        try String(contentsOf: fixtures.appendingPathComponent("envelopes.ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    /// `line` parsed as a JSON object, or `nil`.
    static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// Whether two JSON values are equal (as Foundation compares them).
    static func same(_ left: Any?, _ right: Any?) -> Bool {
        switch (left, right) {
        case (nil, nil): return true
        case let (left?, right?): return NSDictionary(dictionary: ["v": left]).isEqual(to: ["v": right])
        default: return false
        }
    }
}

/// A directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "hookpipe-plugin-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
