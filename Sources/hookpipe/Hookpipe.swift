import ArgumentParser
import HookpipeConfig

/// The `hookpipe` command: a webhook ingest daemon and its tools.
@main
struct Hookpipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookpipe",
        abstract: "Receive signed webhooks, store them durably, and stream them through handler processes.",
        version: "0.1.0",
        subcommands: [
            RunCommand.self, CheckCommand.self, SignCommand.self,
            StatusCommand.self, TailCommand.self, ReplayCommand.self, InjectCommand.self, DLQCommand.self,
        ]
    )
}

/// Options shared by every subcommand that reads `pipeline.conf`.
struct ConfigOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Path to the configuration file.")
    var config: String = "pipeline.conf"

    /// `hookpipe <name>` as a shell command to suggest, with `--config` when it is not the default.
    func command(_ name: String) -> String {
        config == "pipeline.conf" ? "hookpipe \(name)" : "hookpipe \(name) --config \(ShellQuoting.quoted(config))"
    }
}
