/// Notices an event that keeps killing a stage.
///
/// Pure decision logic. Each crash or timeout of a stage is reported with
/// the oldest event the stage was working on; when the same event was in
/// flight across `threshold` consecutive failures, the stage's suspects are
/// isolated (fed one at a time) to find the culprit.
struct PoisonTracker {
    let threshold: Int
    private(set) var suspect: Int64?
    private(set) var strikes = 0

    init(threshold: Int) {
        self.threshold = max(1, threshold)
    }

    /// A failure with `head` in flight. Returns true when isolation should start.
    mutating func failed(head: Int64?) -> Bool {
        guard let head else {
            reset()
            return false
        }
        if head == suspect {
            strikes += 1
        } else {
            suspect = head
            strikes = 1
        }
        return strikes >= threshold
    }

    /// The stage made progress or isolation ran: start counting afresh.
    mutating func reset() {
        suspect = nil
        strikes = 0
    }
}
