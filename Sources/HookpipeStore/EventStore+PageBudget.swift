extension EventStore {
    /// Pages of `query` one after another, joined into one, until it holds
    /// ``EventPageQuery/limit`` events, nothing older is left, or `budget`
    /// has passed (at least one page is read). A rare filter then fills more
    /// of a page per request, and a request still ends within about `budget`
    /// plus one scan window.
    public func eventPage(_ query: EventPageQuery, within budget: Duration) async throws(StoreError) -> EventPage {
        let deadline = ContinuousClock.now + budget
        var page = try await eventPage(query)
        while page.events.count < query.limit, let next = query.next(after: page), ContinuousClock.now < deadline {
            page = page.followed(by: try await eventPage(next), limit: query.limit)
        }
        return page
    }
}

extension EventPage {
    /// This page and then `older`, the page at this one's cursor, as one
    /// page of at most `limit` events (cut at the limit, it continues below
    /// the last event it keeps).
    package func followed(by older: EventPage, limit: Int) -> EventPage {
        let scanned: ClosedRange<Int64>? = switch (scanned, older.scanned) {
        case (let newer?, let older?): older.lowerBound...newer.upperBound
        case (let newer, let older): newer ?? older
        }
        let events = events + older.events
        guard events.count > limit, limit > 0 else { return EventPage(events: events, nextBeforeSeq: older.nextBeforeSeq, scanned: scanned) }
        let kept = Array(events.prefix(limit))
        let last = kept[limit - 1].seq
        return EventPage(events: kept, nextBeforeSeq: last, scanned: scanned.map { last...$0.upperBound })
    }
}
