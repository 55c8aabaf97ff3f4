/// Spaces out a command's commits so that a running daemon gets the database
/// in between.
///
/// SQLite hands its write lock to a waiting process only when that process's
/// busy handler happens to retry while the lock is free; it sleeps up to
/// 100 ms between tries. Back-to-back commits leave gaps of microseconds,
/// and the daemon's receiver could wait out its busy timeout and answer
/// 503. A pause between commits gives each try a fair chance.
public struct CommitPacer: Sendable {
    public let pause: Duration
    private var lastCommit: ContinuousClock.Instant?

    public init(pause: Duration) {
        self.pause = pause
    }

    /// Waits until `pause` has passed since the end of the previous commit (see ``committed()``).
    public mutating func beforeCommit() async {
        if let lastCommit, pause > .zero {
            let wait = pause - (ContinuousClock.now - lastCommit)
            if wait > .zero { try? await Task.sleep(for: wait) }
        }
    }

    /// Records that a commit just ended.
    public mutating func committed() {
        lastCommit = .now
    }
}
