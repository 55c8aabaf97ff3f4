import ArgumentParser

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
}
