/// Whether the daemon should be sent traffic, and if not, why: the pure
/// decision behind `/readyz`.
///
/// Ready means the store answers a query, no commit failed recently (a full
/// or failing disk refuses writes while reads still work), the integrity
/// check after start-up found no damage, and no stage of the chain is failed
/// (crash-looping).
public struct Readiness: Sendable, Equatable {
    /// What the store did with the probe's query.
    public enum StoreAnswer: Sendable, Equatable {
        case answered
        case failed(String)
        case timedOut(Duration)
    }

    /// Why the daemon is not ready, one short sentence each; empty when ready.
    public var reasons: [String]

    /// No reason against it.
    public var isReady: Bool { reasons.isEmpty }

    /// A verdict with these reasons (none: ready).
    public init(reasons: [String]) {
        self.reasons = reasons
    }

    /// - Parameters:
    ///   - store: the answer to a cheap read.
    ///   - recentCommitFailure: the error code of a commit that failed within
    ///     the readiness window, if the last commit failed.
    ///   - storeDamage: what the start-up integrity check found wrong with the
    ///     store file; empty while it runs or when it found nothing.
    ///   - stages: the chain's stages (none without a chain).
    public static func evaluate(store: StoreAnswer, recentCommitFailure: String?, storeDamage: [String] = [],
                                stages: [ChainSample.Stage]) -> Readiness {
        var reasons: [String] = []
        switch store {
        case .answered: break
        case .failed(let message): reasons.append("store: query failed: \(message.prefix(300))")
        case .timedOut(let limit): reasons.append("store: no answer within \(limit)")
        }
        if let code = recentCommitFailure {
            reasons.append("store: last commit failed (\(code))")
        }
        if let first = storeDamage.first {
            let more = storeDamage.count > 1 ? " (and \(storeDamage.count - 1) more)" : ""
            reasons.append("store: the file is damaged: \(first.prefix(200))\(more)")
        }
        for stage in stages where stage.failed {
            reasons.append("stage \(stage.name): failed (crash-looping)")
        }
        return Readiness(reasons: reasons)
    }
}
