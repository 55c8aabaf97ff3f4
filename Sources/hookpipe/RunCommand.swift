import ArgumentParser
import Foundation
import HookpipeConfig
import HookpipeDaemon
import HookpipeTelemetry
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon.",
        discussion: """
            Loads the configuration, recovers the store, opens the listener and serves \
            until SIGTERM or SIGINT. Refuses to start on an invalid configuration.

            Example:
              hookpipe run --config /etc/hookpipe/pipeline.conf
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        // SIGHUP reloads pipeline.conf once the daemon traps it (just before the
        // listener opens); until then its default action would terminate us.
        signal(SIGHUP, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let loaded = try loadConfig(options.config, environment: environment)
        let level = Logger.Level(rawValue: loaded.config.log.level.rawValue) ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        let logger = Logger(label: "hookpipe")
        do {
            try await Daemon(loaded: loaded, configFile: options.config, logger: logger, environment: environment).run()
        } catch {
            logger.critical("cannot run", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

/// Loads `path`, printing the error and exiting 1 when it is invalid.
func loadConfig(_ path: String, environment: [String: String]) throws -> LoadedConfig {
    do {
        return try ConfigLoader.load(path: path, environment: environment)
    } catch {
        FileHandle.standardError.write(Data("hookpipe: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
