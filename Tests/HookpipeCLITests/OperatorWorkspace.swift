import Foundation
import Testing

/// The operator commands' end-to-end suites (nested in extensions, one file
/// each), run one test at a time: each test blocks its thread while it waits
/// for processes, and several at once would starve the other suites' tasks.
@Suite("hookpipe operator commands", .serialized)
struct OperatorCLITests {}

/// A daemon workspace (``DaemonEndToEndTests/Workspace``) whose chain writes
/// to `out.ndjson`, with helpers for running operator commands against it.
struct OperatorWorkspace {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    let base: DaemonEndToEndTests.Workspace
    var directory: String { base.directory }
    var config: String { base.config }
    var output: String { directory + "/out.ndjson" }

    /// A chain of one stage, `cat` unless given: fast timers so tests stay short.
    init(stage: String = #"command = ["cat"]"#, stageExtra: String = "") throws {
        base = try DaemonEndToEndTests.Workspace(extraSource: """

            [chain]
            output = "file:out.ndjson"
            flush_after = "200ms"
            checkpoint_interval = "50ms"
            poison_after = 2

            [[stage]]
            name = "picky"
            \(stage)
            backoff_min = "10ms"
            backoff_max = "50ms"
            \(stageExtra)
            """)
    }

    /// A chain whose stage dead-letters events with `"poison": true` until a
    /// file `cured` exists; `extra` (whole tables) is appended to the config.
    static func poisonous(extra: String = "") throws -> OperatorWorkspace {
        try OperatorWorkspace(stage: #"command = ["python3", "-u", "\#(fixtures)/poison_unless_cured.py"]"#, stageExtra: extra)
    }

    func remove() { base.remove() }

    /// Runs `hookpipe <arguments> --config <this config>`.
    func hookpipe(_ arguments: [String], stdin: String? = nil) throws -> HookpipeBinary.Result {
        try HookpipeBinary.run(arguments + ["--config", config], stdin: stdin, timeout: 60)
    }

    /// Starts the daemon and waits until it listens and has written status.json.
    func startDaemon() throws -> DaemonEndToEndTests.Daemon {
        let daemon = try DaemonEndToEndTests.Daemon(config: config)
        try daemon.waitUntilListening()
        _ = waitFor { FileManager.default.fileExists(atPath: directory + "/state/status.json") }
        return daemon
    }

    /// The JSON objects of `path`, one per line (what has been written so far).
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The chain's output so far.
    func outputObjects() -> [[String: Any]] {
        Self.objects((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// Polls `condition` every `interval` until it holds or `timeout` passes.
    /// A condition that runs `hookpipe` should poll slowly (`interval: 0.5`):
    /// each run costs a process start, and other suites run meanwhile.
    @discardableResult
    func waitFor(timeout: TimeInterval = 30, interval: TimeInterval = 0.05, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: interval)
        }
        return condition()
    }

    /// `n` NDJSON lines `{"id":"<prefix><i>","n":i}`.
    static func lines(_ prefix: String, _ count: Int, extra: String = "") -> String {
        (1...count).map { #"{"id":"\#(prefix)\#($0)","n":\#($0)\#(extra)}"# + "\n" }.joined()
    }
}

/// `true` when `object[key]` is `value` (JSONSerialization gives numbers as NSNumber).
func has(_ object: [String: Any], _ key: String, _ value: String) -> Bool {
    "\(object[key] ?? "")" == value
}
