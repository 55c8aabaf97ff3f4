import Foundation
import Testing

/// A SIGHUP sent as soon as the daemon says "listening" is acted on. It used
/// to be lost when it came before the reload service had started (SIGHUP was
/// still ignored then); found as a flaky ReloadTests run under load.
@Suite("hookpipe binary: SIGHUP right after start", .serialized)
struct ReloadSignalTests {
    @Test("a SIGHUP sent the moment the daemon logs listening reloads", arguments: 1...3)
    func hangupRightAfterListening(attempt: Int) throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        kill(daemon.process.processIdentifier, SIGHUP)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && !daemon.stderr.snapshot().contains("configuration reloaded") {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(daemon.stderr.snapshot().contains("configuration reloaded"), "\(daemon.stderr.snapshot())")
        #expect(daemon.stop() == 0)
    }
}
