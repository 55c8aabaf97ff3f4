import HookpipeJSON
import HookpipeStore

extension Console {
    /// Events newest first, filtered, a page at a time (``EventPageQuery``:
    /// every page examines a bounded range of seq, whatever is stored).
    func events(query: [String: String]) async -> ConsoleResponse {
        let context = context()
        var problem: String?
        var page = EventPageQuery()
        if let source = query["source"], !source.isEmpty {
            if context.sources.contains(source) { page.source = source } else { problem = "No source is configured under that name." }
        }
        let id = query["id"].map { String($0.prefix(500)) } ?? ""
        if !id.isEmpty { page.id = id }
        let before = query["before"].map { String($0.prefix(40)) } ?? ""
        if !before.isEmpty {
            if let micros = RFC3339.parse(before) {
                page.receivedAtOrBeforeMicros = micros
            } else {
                problem = "“At or before” takes a time like 2026-12-07T10:00:00Z; the filter was not applied."
            }
        }
        let outcome = query["outcome"].flatMap(EventPageQuery.Outcome.init(rawValue:))
        page.outcome = outcome
        page.beforeSeq = query["before_seq"].flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        let result: EventPage
        let checkpoint: Int64?
        do {
            checkpoint = try await self.checkpoint()
            page.checkpoint = checkpoint ?? 0
            if checkpoint == nil, outcome != nil, outcome != .deadLettered {
                problem = "No chain is configured, so no event is pending or delivered."
            }
            let ask = page
            // A rare filter joins windows for up to 100 ms, so a page is not
            // mostly empty. An id is answered by the dedupe index in one page:
            // it matches one event, so joining would always spend the whole
            // budget scanning for older copies (p95 329 ms with 1M stored).
            result = try await self.ask { store throws(StoreError) in
                ask.id != nil ? try await store.eventPage(ask) : try await store.eventPage(ask, within: .milliseconds(100))
            }
        } catch {
            return failure(503, "Events", "The store did not answer: \(error.message)")
        }
        // The filters as they were given, for the pager's links.
        var kept: [(String, String)] = []
        if let source = page.source { kept.append(("source", source)) }
        if !id.isEmpty { kept.append(("id", id)) }
        if page.receivedAtOrBeforeMicros != nil { kept.append(("before", before)) }
        if let outcome { kept.append(("outcome", outcome.rawValue)) }
        func link(_ extra: [(String, String)]) -> String {
            let pairs = kept + extra
            return "/console/events" + (pairs.isEmpty ? "" : "?" + pairs.map { "\($0)=\(FormFields.encode($1))" }.joined(separator: "&"))
        }
        let rows = result.events.map { event in
            ConsoleViews.EventRow(seq: event.seq, received: RFC3339.format(micros: event.receivedAtMicros), source: event.source,
                                  id: event.dedupeKey, bytes: event.payloadBytes,
                                  outcome: ConsoleViews.outcome(seq: event.seq, deadLettered: event.deadLettered, checkpoint: checkpoint))
        }
        let searched = result.scanned.map { "Searched seq \($0.lowerBound)–\($0.upperBound)." } ?? ""
        let filtered = !kept.isEmpty
        let view = ConsoleViews.Events(
            frame: frame("Events", "events", query: query),
            sourceOptions: context.sources.map { .init(value: $0, label: $0, selected: $0 == page.source) },
            outcomeOptions: EventPageQuery.Outcome.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == outcome) },
            id: id, before: before, problem: problem, events: rows,
            emptyText: result.nextBeforeSeq != nil ? "Nothing matched in this range; older events may match."
                : filtered ? "No stored event matches." : "No events are stored yet.",
            searched: searched,
            older: result.nextBeforeSeq.map { link([("before_seq", String($0))]) },
            newest: page.beforeSeq != nil ? link([]) : nil)
        return self.page("events", view)
    }
}
