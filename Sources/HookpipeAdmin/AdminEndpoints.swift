public import HookpipeChain
public import HookpipeConsole
public import HookpipeStore
public import HookpipeTelemetry
import HookpipeSync

/// What the admin endpoints read, and how each answers: readiness from the
/// store and the chain, metrics from the registry after sampling them.
public struct AdminEndpoints: Sendable {
    let metrics: PrometheusMetrics
    let collector: ChainCollector
    let store: any EventStore
    let runner: @Sendable () -> ChainRunner?
    let storeMetrics: StoreMetrics
    let storeDamage: @Sendable () -> [String]
    let storeTimeout: Duration
    let commitFailureWindow: Duration
    /// The web console under `/console/`, when `[admin] console` is on.
    let console: Console?

    /// - Parameters:
    ///   - runner: the chain's current runner, when `[[stage]]` are configured (it is replaced on reload).
    ///   - storeMetrics: the store's commit metrics (the same object the store records into).
    ///   - storeDamage: what the start-up integrity check found wrong (empty: nothing, or not done yet).
    ///   - storeTimeout: longest a probe waits for the store's answer.
    ///   - commitFailureWindow: a failed commit keeps `/readyz` at 503 this long unless a later commit succeeds.
    ///   - console: serves `/console/` (`nil`: those paths are 404).
    public init(metrics: PrometheusMetrics, store: any EventStore, runner: @escaping @Sendable () -> ChainRunner?, storeMetrics: StoreMetrics,
                storeDamage: @escaping @Sendable () -> [String] = { [] },
                storeTimeout: Duration = .seconds(2), commitFailureWindow: Duration = .seconds(10), console: Console? = nil) {
        self.metrics = metrics
        self.collector = ChainCollector(factory: metrics.factory)
        self.store = store
        self.runner = runner
        self.storeMetrics = storeMetrics
        self.storeDamage = storeDamage
        self.storeTimeout = storeTimeout
        self.commitFailureWindow = commitFailureWindow
        self.console = console
    }

    func respond(to route: AdminRoute) async -> AdminResponse {
        switch route {
        case .health:
            return .healthy
        case .ready:
            return .readiness(await readiness())
        case .metrics:
            let lastSequence = try? await ask { store throws(StoreError) in try await store.lastSequence() }?.get()
            let pendingDeadLetters = try? await ask { store throws(StoreError) in try await store.deadLetterCount() }?.get()
            collector.collect(lastSequence: lastSequence, pendingDeadLetters: pendingDeadLetters,
                              chain: runner().map { ChainSample($0.status()) })
            if let lease = store.chainLease {
                let cluster = try? await ask { store throws(StoreError) in try await store.chainCluster() }?.get()
                collector.collect(leaseHeld: lease.state().heldEpoch != nil, cluster: cluster ?? nil)
            }
            return .metrics(metrics.exposition())
        }
    }

    /// Whether the daemon should be sent traffic now.
    public func readiness() async -> Readiness {
        let answer: Readiness.StoreAnswer = switch await ask({ store throws(StoreError) in try await store.lastSequence() }) {
        case .success: .answered
        case .failure(let error): .failed(error.message)
        case nil: .timedOut(storeTimeout)
        }
        return Readiness.evaluate(store: answer, recentCommitFailure: storeMetrics.recentFailure(within: commitFailureWindow),
                                  storeDamage: storeDamage(), stages: runner().map { ChainSample($0.status()).stages } ?? [])
    }

    /// The store's answer to `query`, or `nil` when it did not answer within
    /// ``storeTimeout`` (the query is left to finish on its own).
    private func ask<T: Sendable>(_ query: @escaping @Sendable (any EventStore) async throws(StoreError) -> T) async -> Result<T, StoreError>? {
        let store = self.store
        return try? await withDeadline(storeTimeout) { () async -> Result<T, StoreError> in
            do throws(StoreError) {
                return .success(try await query(store))
            } catch {
                return .failure(error)
            }
        }
    }
}

