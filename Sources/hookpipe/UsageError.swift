import ArgumentParser
import Foundation
import HookpipeConfig

/// A mistake in a subcommand's arguments that shows only once `run()` has
/// read its input (a `--body` file that cannot be read, a body that is not
/// JSON). Printed as ArgumentParser prints one it finds while parsing — the
/// message, then this subcommand's usage (not the top-level one) — and the
/// returned ``ExitCode`` is 64.
///
/// A `ValidationError` thrown from `run()` would instead be printed with the
/// top-level command's usage, since the parser no longer knows the subcommand.
func usageError(_ message: String, in command: any ParsableCommand.Type) -> ExitCode {
    let name = command.configuration.commandName ?? "\(command)"
    let text = """
        Error: \(message)
        Usage: \(Hookpipe.usageString(for: command))
          See 'hookpipe \(name) --help' for more information.

        """
    FileHandle.standardError.write(Data(text.utf8))
    return ExitCode.validationFailure
}

/// For a subcommand's `validate()`: throws a `ValidationError` (exit 64, with
/// the subcommand's usage) when `name` is not a source of `configFile`. A file
/// that cannot be loaded is left to `run()`, which reports it (exit 1).
func validateSourceName(_ name: String, configFile: String) throws {
    guard let loaded = try? ConfigLoader.load(path: configFile, environment: ProcessInfo.processInfo.environment),
          !loaded.config.sources.contains(where: { $0.name == name }) else { return }
    throw ValidationError(unknownSourceMessage(name, in: loaded.config, configFile: configFile))
}

/// `no source named "x" in pipeline.conf; configured: a, b`.
func unknownSourceMessage(_ name: String, in config: PipelineConfig, configFile: String) -> String {
    "no source named \"\(name)\" in \(configFile); configured: \(config.sources.map(\.name).joined(separator: ", "))"
}
