public import HookpipeStore
public import ServiceLifecycle

/// Keeps the store open while the daemon runs and closes it last: the
/// service group stops services in reverse order, so the listener and the
/// chain are done with it before it syncs and closes.
public struct StoreService: Service {
    public let store: any EventStore

    public init(store: any EventStore) {
        self.store = store
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}
