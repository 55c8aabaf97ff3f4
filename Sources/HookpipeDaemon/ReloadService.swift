import ServiceLifecycle
import UnixSignals

/// Reloads `pipeline.conf` on every SIGHUP until shutdown. Reloads run one
/// at a time; signals that arrive during one are coalesced into the next.
struct ReloadService: Service {
    let reloader: Reloader

    func run() async throws {
        let reloader = self.reloader
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                await reloader.reload()
            }
        }
    }
}
