import Foundation
import Testing

/// The admin endpoints (`/metrics`, `/healthz`, `/readyz`, `/status`) belong
/// on the admin listener only: the public webhook port must not answer them.
@Suite("hookpipe binary: public listener", .serialized)
struct PublicListenerTests {
    static let adminPaths = ["/metrics", "/healthz", "/readyz", "/status", "/metrics/", "/admin/metrics"]

    /// The public port's answer to `method path`: status and body.
    static func request(_ method: String, _ path: String, port: Int) throws -> (status: Int, body: String) {
        let verb = method == "HEAD" ? "--head" : "-X \(method)"
        let text = try SecretHygieneTests.shell(
            "curl -sS --max-time 10 \(verb) -w '\\n%{http_code}' http://127.0.0.1:\(port)\(path)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// Checks every admin path on the public port of a running daemon, then stops it.
    static func expectNoAdminEndpoints(_ daemon: DaemonEndToEndTests.Daemon, port: Int) throws {
        for path in adminPaths {
            for method in ["GET", "POST", "HEAD"] {
                let (status, body) = try request(method, path, port: port)
                #expect([404, 405].contains(status), "\(method) \(path) on the public port answered \(status): \(body)")
                for marker in ["# HELP", "# TYPE", "hookpipe_", "checkpoint", "backlog", "\"ok\"", "ready"] {
                    #expect(!body.contains(marker), "\(method) \(path) on the public port shows \(marker): \(body)")
                }
            }
        }
        #expect(daemon.stop() == 0)
    }

    @Test("GET/POST/HEAD of /metrics, /healthz, /readyz and /status on the receiver port are 404/405, never metrics or status")
    func adminPathsNotOnPublicPort() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        try Self.expectNoAdminEndpoints(daemon, port: workspace.port)
    }

    @Test("with [admin] enabled, the public port still does not answer admin paths, and the admin port does")
    func adminEnabled() throws {
        let adminPort = try freePort()
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try (text + "\n[admin]\nenabled = true\nhost = \"127.0.0.1\"\nport = \(adminPort)\n")
            .write(toFile: workspace.config, atomically: false, encoding: .utf8)
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        try Self.expectNoAdminEndpoints(daemon, port: workspace.port)
        let deadline = Date().addingTimeInterval(10)
        while !daemon.stderr.snapshot().contains("admin listening") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(daemon.stderr.snapshot().contains("127.0.0.1:\(adminPort)"), "the admin listener should be up on its own port")
        _ = daemon.stop()
    }
}
