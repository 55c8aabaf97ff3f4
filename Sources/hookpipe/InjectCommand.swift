import HookpipeRecovery
import ArgumentParser
import Foundation
import HookpipeConfig
import HookpipeOperations

struct InjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject",
        abstract: "Store NDJSON events from stdin as events of a source, deduplicated like received ones.",
        discussion: """
            For backfilling after an outage: a reconciliation job fetches what the \
            provider sent (from its API) and pipes it in, one JSON object per line. \
            Each line is validated by jansson and stored as if the source had \
            received it — marked "injected": true and not verified \
            ("verified":{"body":false,"fields":[]}) — with its dedupe key chosen by \
            the source's rule: a json:/pointer rule reads the line; rules that need \
            the HTTP request (header:, query:, message-id) fall back, as the receiver \
            does when they are absent, to the SHA-256 of the line. --id-pointer \
            overrides the rule (a line without that value is then invalid). Events \
            already stored within the dedupe window count as duplicates and are not \
            stored again. A line reported stored is committed and fsync'd. Invalid \
            lines are reported on stderr with their line number and skipped; the \
            summary goes to stdout. Exit 1 if any line was invalid. When the store \
            fails (a full disk), the command stops: lines stored before and after \
            the failure stay stored and are reported (-v), and it names the lines \
            not stored with a sed command that feeds exactly those again; exit 1.

            Examples:
              reconcile-stripe --since 2026-11-21 | hookpipe inject --source stripe
              hookpipe inject --source mercadopago --id-pointer /data/id \\
                < payments.ndjson
              hookpipe inject --source github --id-pointer /delivery_id -v \\
                < redeliveries.ndjson
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Name of the configured source the events belong to.")
    var source: String

    @Option(help: "Take each line's dedupe key from this JSON pointer (e.g. /data/id) instead of the source's rule.")
    var idPointer: String?

    @Flag(name: [.short, .long], help: "Print the outcome of every line (stored as seq N, or duplicate of seq N).")
    var verbose = false

    func validate() throws {
        if let idPointer, !idPointer.hasPrefix("/") {
            throw ValidationError("--id-pointer must be a JSON pointer starting with \"/\", like /data/id; found \"\(idPointer)\"")
        }
        try validateSourceName(source, configFile: options.config)
    }

    func run() async throws {
        try await OperatorContext.run(options) { context throws(OperationError) in
            guard let sourceConfig = context.config.sources.first(where: { $0.name == source }) else {
                throw OperationError(.unknownSource, unknownSourceMessage(source, in: context.config, configFile: context.configFile))
            }
            if isatty(STDIN_FILENO) == 1 { printError("reading NDJSON events from the terminal; end with Ctrl-D") }
            let decoder = InjectDecoder(source: sourceConfig, idPointer: idPointer, maxLineBytes: context.config.server.maxBodyBytes)
            let stdin = DescriptorStream(fd: STDIN_FILENO)
            let verbose = self.verbose
            let summary = try await Injector(decoder: decoder, store: context.store).run(read: { () throws(OperationError) in
                do { return try await stdin.read() } catch { throw OperationError(.io, "cannot read stdin: \(error)") }
            }) { report in
                switch report {
                case .invalid(let line, let reason):
                    printError("line \(line): \(reason)")
                case .stored(let line, let seq, let id) where verbose:
                    print("line \(line): stored\(seq.map { " as seq \($0)" } ?? " (seq assigned by the chain holder)"), id \(id)")
                case .duplicate(let line, let seq, let id) where verbose:
                    print("line \(line): duplicate\(seq.map { " of seq \($0)" } ?? " of an event not sequenced yet"), id \(id)")
                case .notStored(let line, let id) where verbose:
                    print("line \(line): not stored (store failure), id \(id)")
                default:
                    break
                }
            }
            print("\(source): \(summary.description)")
            let again = [options.command("inject"), "--source", ShellQuoting.quoted(source)]
                + (idPointer.map { ["--id-pointer", ShellQuoting.quoted($0)] } ?? [])
            for problem in summary.problems(command: again.joined(separator: " ")) { printError(problem) }
            return summary.invalid > 0 || summary.failure != nil ? 1 : 0
        }
    }
}
