import HookpipeRecovery
import ArgumentParser
import Foundation
import HookpipeConfig
import HookpipeOperations
import HookpipeStore
import HookpipeTelemetry
import Logging

/// What an operator command works with: the configuration and the store,
/// opened next to a daemon that may be running.
struct OperatorContext {
    let config: PipelineConfig
    let configFile: String
    let store: any EventStore
    let logger: Logger

    /// Runs `body` with the configuration and the store, then closes the store.
    /// An ``OperationError`` is printed as `hookpipe: <message>` and exits 1,
    /// except a closed output pipe, which ends the command quietly with 0.
    /// `body` returns the exit code. `readOnly` commands open the store so
    /// that nothing can be written to it.
    static func run(_ options: ConfigOptions, readOnly: Bool = false, _ body: (OperatorContext) async throws(OperationError) -> Int32) async throws {
        let config = try load(options)
        let logger = Self.logger()
        let code: Int32
        do {
            let store = try await OperatorStore.open(config, configFile: options.config, readOnly: readOnly, logger: logger)
            let result: Result<Int32, OperationError>
            do {
                result = .success(try await body(OperatorContext(config: config, configFile: options.config, store: store, logger: logger)))
            } catch {
                result = .failure(error)
            }
            await store.close()
            code = try result.get()
        } catch {
            code = Self.report(error)
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// Loads `--config`, printing the error and exiting 1 when it is invalid.
    static func load(_ options: ConfigOptions) throws -> PipelineConfig {
        try loadConfig(options.config, environment: ProcessInfo.processInfo.environment).config
    }

    /// Warnings and errors of the store, on stderr.
    static func logger() -> Logger {
        Logger(label: "hookpipe") { label in LineLogHandler(label: label, level: .warning) }
    }

    /// Prints `error` on stderr and returns the exit code: 1, or 0 when the output's reader went away.
    static func report(_ error: OperationError) -> Int32 {
        if error.code == .outputClosed { return 0 }
        printError(error.message)
        return 1
    }

    /// A note on stderr when `source` is not configured: events of that name
    /// may still be stored, so this is not an error, but often a typo.
    func noteUnknownSource(_ source: String?) {
        guard let source, !config.sources.contains(where: { $0.name == source }) else { return }
        let names = config.sources.map(\.name).joined(separator: ", ")
        printError("note: no source named \"\(source)\" in \(configFile) (configured: \(names)); looking for stored events of that name anyway")
    }
}

/// `hookpipe: <message>` on stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("hookpipe: \(message)\n".utf8))
}

/// Parses `--since`, or fails with the flag and what it accepts.
func parseSince(_ text: String?) throws -> Int64? {
    guard let text else { return nil }
    guard let micros = TimeReference.parse(text, nowMicros: WallClock.nowMicros()) else {
        throw ValidationError("--since \"\(text)\" is not \(TimeReference.expectation)")
    }
    return micros
}
