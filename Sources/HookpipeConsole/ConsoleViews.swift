import HookpipeChain
import HookpipeJSON
import HookpipeStore
import HookpipeTelemetry

/// What the templates render: plain values, every one a string, number,
/// flag or list, so that a template can only print (escaped) text. Built by
/// pure functions from what the console read.
enum ConsoleViews {
    struct Frame {
        var title: String
        var page: String
        var nav: Nav
        var backend: String
        var flash: Flash?
        var generatedAt: String
    }

    struct Nav {
        var overview = false
        var events = false
        var deadLetters = false
        var tail = false
    }

    struct Flash: Equatable {
        /// `done` or `error`.
        var kind: String
        var message: String
    }

    // MARK: Overview

    struct Overview {
        var frame: Frame
        var sources: [SourceRow]
        var backend: String
        var lastSeq: String
        var checkpoint: String
        var backlog: String
        var lag: String
        var deadLetters: String
        var integrity: String
        var integrityClass: String
        var problems: [String]
        var storeError: String?
        var hasChain: Bool
        var noChain: String
        var stages: [StageRow]
        var fed: String
        var inFlight: String
        var deadLettered: String
        var cluster: Cluster?
    }

    struct SourceRow {
        var name: String
        var label: String
        var accepted: Int
        var refused: Int
        var bars: [Bar]
    }

    struct Bar: Equatable {
        var x: Int
        var acceptedY: Int
        var acceptedHeight: Int
        var refusedY: Int
        var refusedHeight: Int
        var tip: String
    }

    struct StageRow {
        var name: String
        var phase: String
        var phaseClass: String
        var pid: String
        var restarts: Int
        var held: Int
        var linesIn: Int64
        var linesOut: Int64
        var hasStderr: Bool
        var stderr: [String]
    }

    struct Cluster {
        var holder: String
        var epoch: Int64
        var since: String
        var unsequenced: Int64
        var nodes: [Node]

        struct Node {
            var id: String
            var role: String
            var started: String
            var seen: String
        }
    }

    /// Chart geometry: 60 bars of 4 px with 1 px between, 40 px high.
    static let chartHeight = 40

    /// One bar per minute, oldest left; accepted from the bottom, refused
    /// stacked on top, scaled to the busiest minute.
    static func bars(_ minutes: [ActivityBuckets.Count]) -> [Bar] {
        let busiest = max(1, minutes.map { $0.accepted + $0.refused }.max() ?? 1)
        return minutes.enumerated().map { index, count in
            let accepted = scaled(count.accepted, busiest)
            let refused = scaled(count.refused, busiest)
            let ago = minutes.count - 1 - index
            let when = ago == 0 ? "this minute" : ago == 1 ? "1 minute ago" : "\(ago) minutes ago"
            return Bar(x: index * 5, acceptedY: chartHeight - accepted, acceptedHeight: accepted,
                       refusedY: chartHeight - accepted - refused, refusedHeight: refused,
                       tip: "\(when): \(count.accepted) accepted, \(count.refused) refused")
        }
    }

    /// `value` of `busiest` in chart pixels; anything above zero shows at least 1 px.
    private static func scaled(_ value: Int, _ busiest: Int) -> Int {
        guard value > 0 else { return 0 }
        return max(1, (value * chartHeight + busiest / 2) / busiest)
    }

    static func sourceRows(_ series: [ActivityBuckets.Series]) -> [SourceRow] {
        series.map { series in
            SourceRow(name: series.source, label: series.source.isEmpty ? "(no source matched)" : series.source,
                      accepted: series.accepted, refused: series.refused, bars: bars(series.minutes))
        }
    }

    static func phaseClass(_ stage: ChainRunner.StageStatus) -> String {
        if stage.failed || stage.phase == "dead-lettering" { return "bad" }
        if stage.phase == "running" && !stage.isolating { return "ok" }
        return "warn"
    }

    /// A stage as the chain reports it, with its last stderr lines.
    static func stageRow(_ stage: ChainRunner.StageStatus, stderr: [String]) -> StageRow {
        var phase = stage.phase
        if stage.failed { phase += " (crash-looping)" }
        if stage.isolating { phase += " (isolating a poison event)" }
        return StageRow(name: stage.name, phase: phase, phaseClass: phaseClass(stage), pid: stage.pid.map(String.init) ?? "–",
                        restarts: stage.restarts, held: stage.held, linesIn: stage.linesIn, linesOut: stage.linesOut,
                        hasStderr: !stderr.isEmpty, stderr: stderr)
    }

    // MARK: Events

    struct Events {
        var frame: Frame
        var sourceOptions: [Option]
        var outcomeOptions: [Option]
        var id: String
        var before: String
        var problem: String?
        var events: [EventRow]
        var emptyText: String
        var searched: String
        var older: String?
        var newest: String?
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct EventRow {
        var seq: Int64
        var received: String
        var source: String
        var id: String
        var bytes: Int
        var outcome: String
    }

    /// `pending`, `delivered`, `dead-lettered`, or `stored` when no chain runs.
    static func outcome(seq: Int64, deadLettered: Bool, checkpoint: Int64?) -> String {
        if deadLettered { return "dead-lettered" }
        guard let checkpoint else { return "stored" }
        return seq <= checkpoint ? "delivered" : "pending"
    }

    // MARK: One event

    struct Event {
        var frame: Frame
        var seq: Int64
        var source: String
        var id: String
        var received: String
        var bytes: Int
        var outcome: String
        var position: String
        var verified: Verified?
        var hasDeadLetters: Bool
        var deadLetters: [LetterRow]
        var actions: Actions?
        var envelope: String
    }

    struct Verified: Equatable {
        var scheme: String
        var body: String
        var fields: String
        var timestamp: String
        var secret: String
    }

    struct Actions {
        var csrf: String
    }

    /// What the envelope's `verified` object says was checked (nothing secret is in it).
    static func verified(_ envelope: JSONDocument) -> Verified? {
        guard let scheme = envelope.scalarText(at: "/verified/scheme") else { return nil }
        let body: String = switch envelope.boolean(at: "/verified/body") {
        case true?: "the raw body was signed"
        case false?: "not signed (only the fields below were)"
        case nil: "not recorded"
        }
        let fields = envelope.strings(at: "/verified/fields") ?? []
        let timestamp = envelope.scalarText(at: "/verified/timestamp").flatMap(Int64.init)
            .map { "\(RFC3339.format(micros: $0 * 1_000_000)) (\($0))" } ?? "none"
        let secret = envelope.scalarText(at: "/verified/secret_index").map { index in
            index == "0" ? "the newest configured secret (index 0)" : "an older configured secret (index \(index)): rotate soon"
        } ?? "not recorded"
        return Verified(scheme: scheme, body: body, fields: fields.isEmpty ? "none" : fields.joined(separator: ", "),
                        timestamp: timestamp, secret: secret)
    }

    /// Where event `seq` is in the chain, in words.
    static func position(seq: Int64, letters: [DeadLetter], checkpoint: Int64?, fed: Int64?, holder: String?) -> String {
        if let letter = letters.first {
            return "dead-lettered by stage \"\(letter.stage)\" (letter \(letter.id)): \(letter.reason)"
        }
        guard let checkpoint else { return "stored; no chain is configured" }
        if seq <= checkpoint { return "delivered: the chain settled it (checkpoint \(checkpoint))" }
        if let fed, seq <= fed { return "in flight: fed to the chain, not settled yet (checkpoint \(checkpoint))" }
        let ahead = seq - checkpoint - 1
        let waiting = "pending: \(ahead) event\(ahead == 1 ? "" : "s") ahead of it (checkpoint \(checkpoint))"
        return holder.map { "\(waiting); the chain runs on node \($0)" } ?? waiting
    }

    // MARK: Dead letters

    struct DeadLetters {
        var frame: Frame
        var count: Int
        var letters: [LetterRow]
        var actions: Actions?
        var next: String?
    }

    struct LetterRow {
        var id: Int64
        var seq: Int64
        var stage: String
        var reason: String
        var created: String
        var hasStderr: Bool
        var stderr: [String]
    }

    static func letterRow(_ letter: DeadLetter) -> LetterRow {
        LetterRow(id: letter.id, seq: letter.seq, stage: letter.stage, reason: letter.reason,
                  created: RFC3339.format(micros: letter.createdAtMicros), hasStderr: !letter.stderrTail.isEmpty,
                  stderr: letter.stderrTail)
    }

    // MARK: Tail and errors

    struct Tail {
        var frame: Frame
        var keep: Int
    }

    struct Failure {
        var frame: Frame
        var heading: String
        var message: String
    }

    /// The flash message after an action, from the redirect's query: only
    /// known words and numbers are read, so no text from a link reaches the page.
    static func flash(done: String?, fields: [String: String]) -> Flash? {
        func number(_ name: String) -> Int64? { fields[name].flatMap(Int64.init) }
        switch done {
        case "replayed":
            guard let from = number("from") else { return nil }
            if let seq = number("seq") { return Flash(kind: "done", message: "Replayed event \(from): this is its copy, seq \(seq).") }
            return Flash(kind: "done", message: "Replayed event \(from): the copy is stored and gets its seq from the chain holder.")
        case "retried":
            guard let letter = number("letter") else { return nil }
            let seq = number("seq").map { ", as event \($0)" } ?? " (its seq comes from the chain holder)"
            return Flash(kind: "done", message: "Dead letter \(letter) retried: its event is stored again\(seq) and goes through the chain.")
        case "dropped":
            guard let letter = number("letter") else { return nil }
            return Flash(kind: "done", message: "Dead letter \(letter) dropped.")
        default:
            return nil
        }
    }
}
