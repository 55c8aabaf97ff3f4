import HookpipeSystemd
import Logging
import NIOCore
import ServiceLifecycle
import HookpipeSync

/// Talks to systemd while the daemon runs: `READY=1` once started (it is
/// the last service to start, after the store recovered and the listener is
/// bound), `STATUS=` every few seconds, `WATCHDOG=1` only while the event
/// loop answers and the chain's ticker advances, and `STOPPING=1` first
/// thing on shutdown (it is also the first service stopped). Sends happen on
/// this task, never on an event loop: a full notify queue may block for up
/// to two seconds. Without `$NOTIFY_SOCKET` it does nothing.
struct SystemdService: Service {
    let notifier: SystemdNotifier
    let watchdog: WatchdogSettings?
    let eventLoop: any EventLoop
    /// The chain's heartbeat, when there is a chain.
    let chainHeartbeat: (@Sendable () -> ContinuousClock.Instant)?
    let statusLine: @Sendable () async -> String
    let logger: Logger

    func run() async throws {
        guard notifier.isEnabled else {
            try? await gracefulShutdown()
            return
        }
        await send("READY=1") { try notifier.ready() }
        await send("STATUS") { try notifier.status(await statusLine()) }
        let interval = watchdog?.pingInterval ?? .seconds(10)
        let gate = SharedGate(staleAfter: watchdog?.timeout ?? .seconds(60))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var sinceStatus = Duration.zero
                while !Task.isCancelled {
                    // The event loop records its own beat; a wedged loop never does.
                    eventLoop.execute { gate.state.withLock { $0.heartbeat("event-loop", at: .now) } }
                    if let chainHeartbeat {
                        let beat = chainHeartbeat()
                        gate.state.withLock { $0.heartbeat("chain", at: beat) }
                    }
                    try? await Task.sleep(for: min(interval, .seconds(10)))
                    if watchdog != nil {
                        let (ping, stale) = gate.state.withLock { ($0.shouldPing(now: .now), $0.staleParts(now: .now)) }
                        if ping {
                            await send("WATCHDOG=1") { try notifier.watchdog() }
                        } else {
                            logger.error("watchdog ping withheld: parts stopped making progress", metadata: ["stale": "\(stale)"])
                        }
                    }
                    sinceStatus += min(interval, .seconds(10))
                    if sinceStatus >= .seconds(10) {
                        sinceStatus = .zero
                        await send("STATUS") { try notifier.status(await statusLine()) }
                    }
                }
            }
            try? await gracefulShutdown()
            await send("STOPPING=1") { try notifier.stopping() }
            group.cancelAll()
        }
    }

    private func send(_ what: String, _ body: () async throws -> Bool) async {
        do {
            _ = try await body()
        } catch {
            logger.warning("systemd notification failed", metadata: ["notify": "\(what)", "error": "\(error)"])
        }
    }
}

/// The watchdog gate, shared by the event loop (its beats) and the service task.
private final class SharedGate: Sendable {
    let state: Locked<WatchdogGate<ContinuousClock.Instant>>

    init(staleAfter: Duration) {
        state = Locked(WatchdogGate(staleAfter: staleAfter))
    }
}
