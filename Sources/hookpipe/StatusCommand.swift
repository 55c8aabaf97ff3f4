import HookpipeRecovery
import ArgumentParser
import Foundation
import HookpipeOperations

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether the daemon runs, the checkpoint, backlog, stages and dead letters.",
        discussion: """
            Combines what the running daemon writes to <state_directory>/status.json \
            every second with what the store says now, so it also answers while the \
            daemon is down. Safe to run at any time; changes nothing.

            Exit status (like systemctl status): 0 running and healthy; 2 running but \
            degraded (a stage is failed, i.e. crash-looping); 3 not running; 1 error \
            (unreadable configuration, store or status.json).

            Examples:
              hookpipe status
              hookpipe status --json | jq .backlog
              hookpipe status --config /etc/hookpipe/pipeline.conf || echo "exit $?"
            """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        let config = try OperatorContext.load(options)
        let report: StatusReport
        do {
            report = try await StatusReport.gather(config: config, configFile: options.config, logger: OperatorContext.logger(),
                                                   nowMicros: WallClock.nowMicros())
        } catch {
            throw ExitCode(OperatorContext.report(error))
        }
        if json {
            FileHandle.standardOutput.write(Data(report.json()))
        } else {
            FileHandle.standardOutput.write(Data(report.text().utf8))
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
