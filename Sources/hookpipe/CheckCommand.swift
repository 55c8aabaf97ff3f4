import ArgumentParser
import Foundation
import HookpipeConfig
import HookpipeDaemon

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration and print what it resolves to.",
        discussion: """
            Reads the file, resolves every secret reference (without printing any \
            value), builds every source exactly as `run` would, and checks that \
            every stage's command is found (in the PATH the daemon would give \
            it) and its working directory can be entered. Prints the \
            resolved listener, store and sources; warnings go to stderr. Exits 1 \
            on the first error, naming the file, key and what was expected.

            Example:
              hookpipe check --config pipeline.conf
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded = try loadConfig(options.config, environment: environment)
        do {
            _ = try SourceFactory.make(loaded.config.sources, configFile: options.config, environment: environment)
            _ = try SourceFactory.trustedProxies(loaded.config.server, configFile: options.config)
            try StoreFactory.validate(loaded.config.store, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("hookpipe: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let stageProblems = StageCommandCheck.problems(loaded.config.chain, daemonPath: environment["PATH"])
        for problem in stageProblems {
            FileHandle.standardError.write(Data("hookpipe: \(options.config): \(problem)\n".utf8))
        }
        if !stageProblems.isEmpty { throw ExitCode(1) }
        for warning in loaded.warnings {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        print(loaded.config.summary())
        print("configuration OK")
    }
}
