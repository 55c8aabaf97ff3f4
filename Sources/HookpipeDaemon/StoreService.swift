public import HookpipeStore
public import Logging
public import ServiceLifecycle
public import Foundation

/// Keeps the store open while the daemon runs and closes it last: the
/// service group stops services in reverse order, so the listener and the
/// chain are done with it before it syncs and closes. Meanwhile it prunes,
/// every `pruneInterval`, events older than `retention` that are settled
/// (at or below the chain's checkpoint; any age when there is no chain).
/// Once after start it checks the file's integrity (``StoreHealth``).
public struct StoreService: Service {
    public let store: any EventStore
    public let retention: Duration
    /// The consumer whose checkpoint bounds pruning, asked at every pass (a
    /// reload can add or remove the chain); `nil` when nothing consumes events.
    public let consumer: @Sendable () -> String?
    public let pruneInterval: Duration
    public let logger: Logger
    public let health: StoreHealth
    /// Named in the integrity check's log lines.
    public let path: String

    public init(store: any EventStore, path: String, health: StoreHealth, retention: Duration, consumer: String?,
         pruneInterval: Duration = .seconds(3600), logger: Logger) {
        self.init(store: store, path: path, health: health, retention: retention, consumer: { consumer },
                  pruneInterval: pruneInterval, logger: logger)
    }

    /// With the consumer looked up at every pass.
    public init(store: any EventStore, path: String, health: StoreHealth, retention: Duration,
                consumer: @escaping @Sendable () -> String?, pruneInterval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.path = path
        self.health = health
        self.retention = retention
        self.consumer = consumer
        self.pruneInterval = pruneInterval
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            // The integrity check reads the whole file; it runs beside traffic
            // rather than delaying readiness.
            group.addTask(priority: .background) { await health.check(store, path: path, logger: logger) }
            group.addTask {
                while !Task.isCancelled {
                    await prune()
                    try? await Task.sleep(for: pruneInterval)
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await store.close()
    }

    /// One pruning pass; failures are logged and retried at the next pass.
    public func prune(now: Date = Date()) async {
        do {
            var settled = Int64.max
            if let consumer = consumer() { settled = try await store.checkpoint(consumer) }
            let cutoff = Int64(now.timeIntervalSince1970 * 1_000_000) - retention.microseconds
            let deleted = try await store.prune(receivedBefore: cutoff, upTo: settled)
            if deleted > 0 {
                logger.notice("pruned settled events past retention", metadata: ["store.pruned": "\(deleted)", "store.retention": "\(retention)"])
            }
        } catch {
            logger.error("cannot prune the store", metadata: ["error": "\(error)"])
        }
    }
}
