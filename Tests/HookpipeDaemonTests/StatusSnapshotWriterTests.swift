import HookpipeDaemon
import Testing

@Suite("StatusSnapshot.writer: a stale status.json of a live daemon is not a dead daemon")
struct StatusSnapshotWriterTests {
    /// Started at t = 100 s, last wrote at t = 200 s.
    func snapshot(running: Bool = true) -> StatusSnapshot {
        StatusSnapshot(pid: 4242, running: running, startedAtMicros: 100_000_000, updatedAtMicros: 200_000_000,
                       listener: "http://127.0.0.1:8080", sources: [], lastSeq: 0, checkpoint: 0, storeCheck: "ok", backlog: 0, chain: nil)
    }

    /// The daemon's own process started a moment before it wrote `startedAtMicros`.
    let sameProcess = StatusSnapshot.ProcessStart(startedAtMicros: 99_500_000)

    @Test("written within 5 s by its own process: live")
    func live() {
        #expect(snapshot().writer(nowMicros: 203_000_000, process: sameProcess) == .live)
    }

    @Test("the same process (pid and start time), silent for longer: stale, not dead")
    func stale() {
        #expect(snapshot().writer(nowMicros: 260_000_000, process: sameProcess) == .stale)
        // /proc unreadable: the start time is unknown, and the pid exists.
        #expect(snapshot().writer(nowMicros: 260_000_000, process: .init(startedAtMicros: nil)) == .stale)
    }

    @Test("a process that started after the daemon holds a reused pid")
    func reused() {
        let newcomer = StatusSnapshot.ProcessStart(startedAtMicros: 250_000_000)
        #expect(snapshot().writer(nowMicros: 260_000_000, process: newcomer) == .reused)
        // Even one that reused the pid quickly, while the file still looks fresh.
        #expect(snapshot().writer(nowMicros: 201_000_000, process: .init(startedAtMicros: 200_500_000)) == .reused)
    }

    @Test("no process with the pid: gone; a clean stop: stopped")
    func goneAndStopped() {
        #expect(snapshot().writer(nowMicros: 260_000_000, process: nil) == .gone)
        #expect(snapshot(running: false).writer(nowMicros: 201_000_000, process: sameProcess) == .stopped)
    }
}
