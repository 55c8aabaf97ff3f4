import HookpipeStore

/// A journal in memory: runs ``EventPagePlan`` the way the stores do, and
/// answers every query the slow way too, so tests can compare the two.
struct EventPageModel {
    struct Event {
        var seq: Int64
        var source: String
        var key: String
        var receivedAtMicros: Int64
        var payloadBytes = 0
    }

    /// Oldest first.
    var events: [Event] = []
    /// Sequence numbers with at least one dead letter.
    var deadLettered: Set<Int64> = []
    /// key → source → seq, as the dedupe index holds it (it outlives pruned events).
    var dedupe: [String: [String: Int64]] = [:]
    /// How many rows the last ``page(_:)`` examined in range scans.
    private(set) var examined = 0

    mutating func append(_ source: String, _ key: String, receivedAtMicros: Int64, seq: Int64? = nil, payloadBytes: Int = 0) {
        let seq = seq ?? (events.last?.seq ?? 0) + 1
        events.append(Event(seq: seq, source: source, key: key, receivedAtMicros: receivedAtMicros, payloadBytes: payloadBytes))
        dedupe[key, default: [:]][source] = seq
    }

    func summary(_ event: Event) -> EventSummary {
        EventSummary(seq: event.seq, source: event.source, dedupeKey: event.key, receivedAtMicros: event.receivedAtMicros,
                     payloadBytes: event.payloadBytes, deadLettered: deadLettered.contains(event.seq))
    }

    /// Every event the query selects, newest first, ignoring the cursor, limit and window.
    func expected(_ query: EventPageQuery) -> [EventSummary] {
        events.reversed().filter { event in
            if let source = query.source, event.source != source { return false }
            if let id = query.id, event.key != id { return false }
            if let instant = query.receivedAtOrBeforeMicros, event.receivedAtMicros > instant { return false }
            if let outcome = query.outcome, summary(event).outcome(checkpoint: query.checkpoint) != outcome { return false }
            return true
        }.map(summary)
    }

    /// The page, computed as the stores compute it.
    mutating func page(_ query: EventPageQuery) -> EventPage {
        var plan = EventPagePlan(query, defaultScanWindow: 50)
        while let bound = plan.unsettledUpper { plan.settle(newest: newest(below: bound, plan)) }
        if var bisection = plan.bisection {
            while let probe = bisection.nextProbe {
                let index = firstIndex(atOrAbove: probe.lowerBound)
                let found = index < events.count && events[index].seq < probe.upperBound ? events[index] : nil
                bisection.record(seq: found?.seq, receivedAtMicros: found?.receivedAtMicros)
            }
            plan.jump(to: bisection)
            while let bound = plan.unsettledUpper { plan.settle(newest: newest(below: bound, plan)) }
        }
        if let window = plan.unsizedWindow {
            let newest = deadLettered.filter { $0 < window.below && $0 >= plan.floor }.sorted(by: >)
            plan.sizeWindow(lowest: newest.count >= window.count ? newest[Int(window.count) - 1] : nil)
        }
        var scan = plan.firstScan
        if case .lookup(let id, let source) = scan {
            let hits = (dedupe[id] ?? [:]).filter { entry in
                let index = firstIndex(atOrAbove: entry.value)
                return (source == nil || entry.key == source) && index < events.count && events[index].seq == entry.value
            }
            scan = plan.afterLookup(Array(hits.values))
        }
        let candidates: [Event]
        switch scan {
        case .nothing, .lookup:
            candidates = []
        case .range(let range):
            let slice = events[firstIndex(atOrAbove: range.lowerBound)..<firstIndex(atOrAbove: range.upperBound + 1)]
            candidates = slice.reversed().filter { plan.driver == .events || deadLettered.contains($0.seq) }
            examined = candidates.count
        case .seqs(let seqs):
            candidates = events.reversed().filter { seqs.contains($0.seq) }
        }
        let rows = Array(candidates.filter { meets($0, plan.conditions) }.prefix(plan.limit + 1).map(summary))
        let older = plan.olderBound(after: scan, rowCount: rows.count).flatMap { newest(below: $0, plan) }
        return plan.page(after: scan, rows: rows, olderSeq: older)
    }

    /// Every page from the newest to the end (at most `maxPages`).
    mutating func allPages(_ query: EventPageQuery, maxPages: Int = 10_000) -> [EventPage] {
        var pages: [EventPage] = []
        var next: EventPageQuery? = query
        while let current = next, pages.count < maxPages {
            let page = page(current)
            pages.append(page)
            next = current.next(after: page)
        }
        return pages
    }

    private func newest(below bound: Int64, _ plan: EventPagePlan) -> Int64? {
        guard plan.driver == .events else { return deadLettered.filter { $0 < bound && $0 >= plan.floor }.max() }
        let below = firstIndex(atOrAbove: bound)
        guard below > 0, events[below - 1].seq >= plan.floor else { return nil }
        return events[below - 1].seq
    }

    /// The index of the first event with `seq >= bound` (events are in seq order).
    private func firstIndex(atOrAbove bound: Int64) -> Int {
        var (low, high) = (0, events.count)
        while low < high {
            let middle = (low + high) / 2
            if events[middle].seq < bound { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func meets(_ event: Event, _ conditions: [EventPagePlan.Condition]) -> Bool {
        conditions.allSatisfy { condition in
            switch condition {
            case .source(let source): event.source == source
            case .dedupeKey(let key): event.key == key
            case .receivedAtOrBefore(let instant): event.receivedAtMicros <= instant
            case .deadLettered(let wanted): deadLettered.contains(event.seq) == wanted
            }
        }
    }
}
