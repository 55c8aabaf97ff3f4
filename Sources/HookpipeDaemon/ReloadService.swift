import ServiceLifecycle
import UnixSignals

/// Reloads `pipeline.conf` on every SIGHUP until shutdown. Reloads run one
/// at a time; signals that arrive during one are coalesced into the next.
struct ReloadService: Service {
    let reloader: Reloader
    /// Trapping SIGHUP from before the listener opens: a signal that arrives
    /// before this service runs is queued, not lost (it was, when the
    /// sequence was only created here and the signal was still ignored).
    let hangups: UnixSignalsSequence

    func run() async throws {
        let (reloader, hangups) = (self.reloader, self.hangups)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                await reloader.reload()
            }
        }
    }
}
