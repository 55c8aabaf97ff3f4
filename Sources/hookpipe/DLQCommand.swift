import HookpipeRecovery
import ArgumentParser
import Foundation
import HookpipeOperations
import HookpipeStore

struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, show, retry or drop dead letters (events a stage could not process).",
        discussion: """
            Examples:
              hookpipe dlq list
              hookpipe dlq show 3
              hookpipe dlq retry 3 4
              hookpipe dlq drop --all
            """,
        subcommands: [List.self, Show.self, Retry.self, Drop.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the dead letters, oldest first.",
            discussion: """
                Examples:
                  hookpipe dlq list
                  hookpipe dlq list --json | jq -r '.line.payload.id'
                """
        )

        @OptionGroup var options: ConfigOptions

        @Flag(help: "One JSON object per line (the stage's input line included as JSON) instead of a table.")
        var json = false

        func run() async throws {
            try await OperatorContext.run(options, readOnly: true) { context throws(OperationError) in
                let letters = try await DeadLetterDesk(store: context.store).all()
                if json {
                    FileHandle.standardOutput.write(Data(letters.flatMap { $0.json + [0x0A] }))
                } else if letters.isEmpty {
                    print("no dead letters")
                } else {
                    print(DeadLetter.table(letters), terminator: "")
                }
                return 0
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one dead letter: reason, stage, its stderr and the line it was given.",
            discussion: """
                Examples:
                  hookpipe dlq show 3
                  hookpipe dlq show 3 --json | jq .stderr_tail
                """
        )

        @OptionGroup var options: ConfigOptions

        @Argument(help: "The dead letter's id (see dlq list).")
        var id: Int64

        @Flag(help: "One JSON object instead of text.")
        var json = false

        func run() async throws {
            try await OperatorContext.run(options, readOnly: true) { context throws(OperationError) in
                let letter = try await DeadLetterDesk(store: context.store).letter(id)
                if json {
                    FileHandle.standardOutput.write(Data(letter.json + [0x0A]))
                } else {
                    print(letter.detail, terminator: "")
                }
                return 0
            }
        }
    }

    /// The ids given, or every dead letter with `--all`.
    struct Selection: ParsableArguments {
        @Argument(help: "Dead letter ids (see dlq list).")
        var ids: [Int64] = []

        @Flag(help: "Every dead letter.")
        var all = false

        func validate() throws {
            if all && !ids.isEmpty { throw ValidationError("give dead letter ids or --all, not both") }
            if !all && ids.isEmpty { throw ValidationError("give one or more dead letter ids, or --all") }
        }

        /// Calls `body` with each selected letter; returns the exit code, 1 if an
        /// id was unknown (reported and skipped) or `body` returned `false`.
        func forEach(in context: OperatorContext,
                     _ body: (DeadLetterDesk, DeadLetter) async throws(OperationError) -> Bool) async throws(OperationError) -> Int32 {
            let desk = DeadLetterDesk(store: context.store)
            var failed = false
            let letters = try await letters(desk, failed: &failed)
            for letter in letters {
                if try await !body(desk, letter) { failed = true }
            }
            if all && letters.isEmpty { print("no dead letters") }
            return failed ? 1 : 0
        }

        /// The letters to act on; an unknown id is reported and skipped (it makes the command exit 1).
        private func letters(_ desk: DeadLetterDesk, failed: inout Bool) async throws(OperationError) -> [DeadLetter] {
            if all { return try await desk.all() }
            var letters: [DeadLetter] = []
            for id in ids {
                do {
                    letters.append(try await desk.letter(id))
                } catch where error.code == .notFound {
                    printError(error.message)
                    failed = true
                }
            }
            return letters
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead-lettered events through the chain again, then delete their dead letters.",
            discussion: """
                Each event is appended again like `replay` does (new seq, "replay_of"), \
                and its dead letter is deleted in the same transaction that stores the \
                copy, so a letter is retried at most once: one that another command \
                retried or dropped meanwhile is reported and skipped. If the original \
                event is no longer stored, it is rebuilt from the dead letter's line when \
                that line is the stored envelope (the failing stage was the first); \
                otherwise that retry is refused and the dead letter kept. Exit 1 if any \
                id was unknown or could not be retried.

                Examples:
                  hookpipe dlq retry 3
                  hookpipe dlq retry 3 4 7
                  hookpipe dlq retry --all
                """
        )

        @OptionGroup var options: ConfigOptions
        @OptionGroup var selection: Selection

        func run() async throws {
            let run = UUID().uuidString.lowercased()
            try await OperatorContext.run(options) { context throws(OperationError) in
                try await selection.forEach(in: context) { desk, letter throws(OperationError) in
                    do throws(OperationError) {
                        let retry = try await desk.retry(letter, run: run, nowMicros: WallClock.nowMicros())
                        let rebuilt = retry.fromLine ? " (rebuilt from the dead letter's line: the original is no longer stored)" : ""
                        print("dead letter \(retry.letter): event seq \(retry.originalSeq) stored again\(retry.seq.map { " as seq \($0)" } ?? "")\(rebuilt)")
                        return true
                    } catch where error.code == .cannotRetry || error.code == .notFound {
                        printError(error.message)
                        return false
                    }
                }
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete dead letters for good (their events become subject to retention).",
            discussion: """
                Examples:
                  hookpipe dlq drop 3
                  hookpipe dlq drop --all
                """
        )

        @OptionGroup var options: ConfigOptions
        @OptionGroup var selection: Selection

        func run() async throws {
            try await OperatorContext.run(options) { context throws(OperationError) in
                try await selection.forEach(in: context) { desk, letter throws(OperationError) in
                    try await desk.drop(letter.id)
                    print("dead letter \(letter.id) (event seq \(letter.seq)) dropped")
                    return true
                }
            }
        }
    }
}
