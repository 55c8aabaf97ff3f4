import HookpipeRecovery
import ArgumentParser
import Dispatch
import Foundation
import HookpipeOperations
import HookpipeProcess
import HookpipeStore

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print stored events as NDJSON, optionally following new ones.",
        discussion: """
            Each line is an event's envelope exactly as the chain's first stage \
            receives it ({"seq":…,"id":…,"source":…,…,"payload":…}), oldest first, \
            ready for jq. Without --since or --from the last 10 events are printed \
            (change with -n); with them, every matching event unless -n is given. \
            With -f, new events (stored by the daemon or by inject/replay) are \
            printed as they arrive until SIGINT/SIGTERM or until the reader of \
            stdout goes away; both end with exit 0. Safe while the daemon runs.

            Examples:
              hookpipe tail
              hookpipe tail -n 100 --source stripe | jq -c '.payload.type'
              hookpipe tail --since 15m
              hookpipe tail --since 2026-11-21T20:00:00Z --source github
              hookpipe tail -f -n 0 | jq 'select(.payload.type == "payment")'
            """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(name: [.short, .long], help: "Keep printing new events as they are stored.")
    var follow = false

    @Option(name: [.customShort("n"), .long], help: "Print only the last N matching events (default 10 without --since/--from).")
    var lines: Int?

    @Option(help: "Only events of this source.")
    var source: String?

    @Option(help: "Only events received since T: RFC 3339 (2026-11-21T20:00:00Z) or a duration back from now (15m, 2h, 7d).")
    var since: String?

    @Option(name: .customLong("from"), help: "Only events with seq >= SEQ.")
    var fromSeq: Int64?

    func validate() throws {
        if let lines, lines < 0 { throw ValidationError("-n/--lines must be 0 or more, found \(lines)") }
        if let fromSeq, fromSeq < 1 { throw ValidationError("--from must be a sequence number of 1 or more, found \(fromSeq)") }
        _ = try parseSince(since)
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let filter = EventFilter(source: source, receivedSinceMicros: try parseSince(since), fromSeq: fromSeq)
        let count = lines ?? (since == nil && fromSeq == nil ? 10 : nil)
        let follow = self.follow
        try await OperatorContext.run(options, readOnly: true) { context throws(OperationError) in
            context.noteUnknownSource(source)
            let stdout = DescriptorStream(fd: STDOUT_FILENO)
            let tailer = Tailer(store: context.store, filter: filter, lines: count)
            let task = Task { () -> Result<Int, OperationError> in
                do throws(OperationError) {
                    return .success(try await tailer.run(follow: follow, stop: { stdout.peerClosed }) { bytes throws(OperationError) in
                        do throws(SystemCallError) {
                            try await stdout.write(bytes)
                        } catch where error.isBrokenPipe {
                            throw OperationError(.outputClosed, "stdout was closed")
                        } catch {
                            throw OperationError(.io, "cannot write to stdout: \(error)")
                        }
                    })
                } catch {
                    return .failure(error)
                }
            }
            // SIGINT/SIGTERM end following cleanly (exit 0) instead of killing mid-write.
            let signals = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { task.cancel() }
                source.resume()
                return source
            }
            defer { signals.forEach { $0.cancel() } }
            _ = try await task.value.get()
            return 0
        }
    }
}
