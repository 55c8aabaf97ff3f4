public import HookpipeStore
public import Logging
import HookpipeSync

/// The result of the integrity check the daemon runs once after start-up,
/// shared with `status.json` and systemd's `STATUS=` line.
public final class StoreHealth: Sendable {
    public enum State: Sendable, Equatable {
        case pending
        case sound
        case damaged([String])

        /// `pending`, `ok` or `damaged: …` (as `status.json` says it).
        public var summary: String {
            switch self {
            case .pending: "pending"
            case .sound: "ok"
            case .damaged(let problems): "damaged: " + problems.prefix(3).joined(separator: "; ")
            }
        }
    }

    private let state = Locked(State.pending)

    public init() {}

    public var current: State { state.withLock { $0 } }

    /// Runs the store's check and reports a damaged store loudly. The daemon
    /// keeps serving: SQLite refuses writes that touch damaged pages (those
    /// requests get 503 and are retried by their senders), and undamaged
    /// events stay readable.
    public func check(_ store: any EventStore, path: String, logger: Logger) async {
        let start = ContinuousClock.now
        let problems: [String]
        do {
            problems = try await store.checkIntegrity()
        } catch {
            problems = ["\(error)"]
        }
        if problems.isEmpty {
            state.withLock { $0 = .sound }
            logger.info("store integrity check passed", metadata: ["store.path": "\(path)", "duration": "\(ContinuousClock.now - start)"])
        } else {
            state.withLock { $0 = .damaged(problems) }
            logger.critical("the store file is damaged", metadata: [
                "store.path": "\(path)",
                "store.problems": "\(problems.prefix(5).joined(separator: " | "))",
                "advice": "events on undamaged pages remain readable; stop hookpipe, copy the state directory aside, salvage with `sqlite3 hookpipe.sqlite .recover | sqlite3 new.sqlite`, and replace the file",
            ])
        }
    }
}
