import HookpipeRecovery
import ArgumentParser
import Foundation
import HookpipeJSON
import HookpipeOperations
import HookpipeStore

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send stored events through the chain again, as new events.",
        discussion: """
            Appends a copy of each selected event, in sequence order, with a new seq; \
            the running chain picks the copies up within a second. A copy keeps the \
            source, payload and envelope (its "id" too) and adds "replay_of": <original \
            seq>; it is never taken for a duplicate. The selection ends at the newest \
            event stored when the command starts. Select with exactly one of --from, \
            --id or --since; --source narrows any of them. Exit 1 when nothing matches. \
            When the store fails part-way (a full disk), the copies already stored \
            stay stored: the command says which events were replayed and which were \
            not, gives the --from/--to commands that replay exactly the rest, and \
            exits 1.

            Examples:
              hookpipe replay --from 120 --to 180
              hookpipe replay --id evt_1NXWPn2eZvKYlo2C --source stripe
              hookpipe replay --since 2h --source mercadopago --dry-run
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("from"), help: "Replay events with seq >= SEQ (with --to: up to that seq).")
    var fromSeq: Int64?

    @Option(name: .customLong("to"), help: "With --from: the last seq to replay.")
    var toSeq: Int64?

    @Option(help: "Replay the events with this id (the envelope's \"id\", the dedupe key).")
    var id: String?

    @Option(help: "Replay events received since T: RFC 3339 or a duration back from now (15m, 2h, 7d).")
    var since: String?

    @Option(help: "Only events of this source.")
    var source: String?

    @Flag(help: "List what would be replayed; store nothing.")
    var dryRun = false

    func validate() throws {
        let selectors = [fromSeq != nil, id != nil, since != nil].filter { $0 }.count
        guard selectors == 1 else { throw ValidationError("select the events with exactly one of --from SEQ, --id ID or --since T") }
        if toSeq != nil && fromSeq == nil { throw ValidationError("--to needs --from") }
        if let fromSeq, fromSeq < 1 { throw ValidationError("--from must be 1 or more, found \(fromSeq)") }
        if let fromSeq, let toSeq, toSeq < fromSeq { throw ValidationError("--to \(toSeq) is before --from \(fromSeq)") }
        _ = try parseSince(since)
    }

    func run() async throws {
        let filter = EventFilter(source: source, dedupeKey: id, receivedSinceMicros: try parseSince(since), fromSeq: fromSeq, toSeq: toSeq)
        try await OperatorContext.run(options) { context throws(OperationError) in
            context.noteUnknownSource(source)
            let replayer = Replayer(store: context.store)
            if dryRun {
                var table = TextTable(header: ["SEQ", "SOURCE", "RECEIVED", "ID"])
                let count = try await replayer.forEachPage(filter) { page throws(OperationError) in
                    for event in page {
                        table.add([String(event.seq), event.source, RFC3339.format(micros: event.receivedAtMicros), Self.envelopeID(event)])
                    }
                }
                print(table.rendered(), terminator: "")
                print("would replay \(count) event\(count == 1 ? "" : "s") (dry run: nothing stored)")
            } else {
                let summary = try await replayer.replay(filter)
                print(summary.description)
                for problem in summary.problems(command: options.command("replay")) { printError(problem) }
                return summary.isComplete ? 0 : 1
            }
            return 0
        }
    }

    /// The envelope's `id`, or the dedupe key when the metadata has none.
    static func envelopeID(_ event: StoredEvent) -> String {
        guard case .success(let metadata) = JSONDocument.parse(event.metadata), let id = metadata.scalarText(at: "/id") else {
            return event.dedupeKey
        }
        return id
    }
}
