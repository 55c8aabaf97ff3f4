import Foundation
import HookpipeChain
import HookpipeConfig
import HookpipeJSON
import HookpipeStore
import Logging

/// A real SQLite store in a temporary directory, pre-filled with events, and
/// a chain runner writing its output to a file there. Every wait is bounded.
final class ChainHarness: @unchecked Sendable {
    let directory: String
    let store: SQLiteEventStore
    var outputPath: String { directory + "/out.ndjson" }
    static let logger = Logger(label: "chain-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The package's root, to find `plugins/` and the fixtures.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static func fixture(_ name: String) -> String { root + "/Tests/HookpipeChainTests/Fixtures/" + name }
    static func plugin(_ name: String) -> String { root + "/plugins/" + name }

    init(directory: String? = nil) throws {
        self.directory = directory ?? NSTemporaryDirectory() + "hookpipe-chain-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        store = try SQLiteEventStore(path: self.directory + "/hookpipe.sqlite", logger: Self.logger)
    }

    /// Stores `count` events whose payload is `payload(i)` (1-based).
    func addEvents(_ count: Int, payload: (Int) -> String = { #"{"n":\#($0)}"# }) async throws {
        for index in 1...count {
            let metadata = JSONObjectBuilder()
            metadata.set("id", "e\(index)")
            metadata.set("source", "test")
            _ = try await store.append(IncomingEvent(source: "test", dedupeKey: "e\(index)-\(UUID().uuidString)", dedupeWindow: .seconds(60),
                                                     receivedAtMicros: 0, metadata: metadata.serialized(), payload: Array(payload(index).utf8)))
        }
    }

    func chain(_ stages: [StageConfig], _ adjust: (inout ChainConfig) -> Void = { _ in }) -> ChainConfig {
        var config = ChainConfig()
        config.output = .file(outputPath)
        config.flushAfter = .milliseconds(300)
        config.checkpointInterval = .milliseconds(50)
        config.drainTimeout = .seconds(10)
        config.stages = stages
        adjust(&config)
        return config
    }

    /// Creates and starts a runner (off the cooperative pool: it blocks).
    func start(_ config: ChainConfig) async throws -> ChainRunner {
        try await onThread { [store, directory] in
            let runner = try ChainRunner(config: config, store: store, stateDirectory: directory,
                                         path: ProcessInfo.processInfo.environment["PATH"], logger: Self.logger)
            try runner.start()
            return runner
        }
    }

    func stop(_ runner: ChainRunner) async -> Bool {
        (try? await onThread { runner.stop(deadline: .seconds(10)) }) ?? false
    }

    /// Polls `condition` every 20 ms for at most `timeout`.
    func wait(_ timeout: Duration = .seconds(30), until condition: () -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// The output file's lines, parsed.
    func output() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: outputPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The `seq`s in the output, in order of appearance.
    func outputSeqs() -> [Int] {
        output().compactMap { ($0["seq"] as? NSNumber)?.intValue }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs blocking work on a fresh thread and awaits it.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
