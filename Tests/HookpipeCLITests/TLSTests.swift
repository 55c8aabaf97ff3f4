import Foundation
import Testing

/// Native HTTPS on the receiver, with a self-signed certificate made by
/// openssl and curl as the client.
@Suite("hookpipe binary: TLS", .serialized)
struct TLSTests {
    /// Writes a fresh self-signed certificate for 127.0.0.1 and its key.
    static func makeCertificate(in directory: String) throws {
        let result = try Self.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ])
        #expect(result.status == 0, "\(result.output)")
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = ReadAll(out.fileHandleForReading).text()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// Signs a Stripe event and posts it with curl, trusting only `ca`.
    static func post(_ workspace: DaemonEndToEndTests.Workspace, id: String, trusting ca: String) throws -> (status: Int32, output: String) {
        let printed = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--data", #"{"id":"\#(id)"}"#])
        #expect(printed.stdout.contains("https://127.0.0.1:\(workspace.port)"), "\(printed.stdout)")
        return try run("/bin/sh", ["-c", printed.stdout], environment: ["CURL_CA_BUNDLE": ca])
    }

    @Test("HTTPS with a self-signed certificate; plain HTTP gets no answer; a new certificate is used after SIGHUP")
    func httpsAndCertificateReload() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let tls = workspace.directory + "/tls"
        try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
        try Self.makeCertificate(in: tls)
        try FileManager.default.copyItem(atPath: tls + "/cert.pem", toPath: workspace.directory + "/first-ca.pem")
        let config = try String(contentsOfFile: workspace.config, encoding: .utf8)
            .replacingOccurrences(of: "[server]\n", with: "[server]\ntls_certificate = \"tls/cert.pem\"\ntls_key = \"tls/key.pem\"\n")
        try config.write(toFile: workspace.config, atomically: false, encoding: .utf8)

        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        #expect(daemon.stderr.snapshot().contains("http.scheme=https"))
        let first = try Self.post(workspace, id: "evt_tls_1", trusting: workspace.directory + "/first-ca.pem")
        #expect(first.status == 0, "\(first.output)\n\(daemon.stderr.snapshot())")
        #expect(first.output.contains(#""status":"accepted""#), "\(first.output)")

        let plain = try Self.run("/usr/bin/curl", ["-sS", "--max-time", "5", "-X", "POST", "-d", "{}",
                                                   "http://127.0.0.1:\(workspace.port)/hooks/stripe"])
        #expect(plain.status != 0, "plain HTTP must not be answered: \(plain.output)")
        #expect(daemon.process.isRunning)

        // Rotate the certificate in place, then reload.
        try Self.makeCertificate(in: tls)
        ReloadTests.reload(daemon, expecting: "configuration reloaded")
        let renewed = try Self.post(workspace, id: "evt_tls_2", trusting: tls + "/cert.pem")
        #expect(renewed.output.contains(#""status":"accepted""#), "\(renewed.output)\n\(daemon.stderr.snapshot())")
        let oldTrust = try Self.post(workspace, id: "evt_tls_3", trusting: workspace.directory + "/first-ca.pem")
        #expect(oldTrust.status == 60, "the old certificate must no longer be served: \(oldTrust.output)")
        #expect(daemon.stop() == 0)
        #expect(!daemon.stderr.snapshot().contains("PRIVATE KEY"))
    }

    @Test("a missing or mismatched key refuses to start, naming the file")
    func badKeyRefused() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let other = workspace.directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Self.makeCertificate(in: workspace.directory)
        try Self.makeCertificate(in: other)
        for (certificate, key, expected) in [("cert.pem", "missing.pem", "missing.pem"), ("cert.pem", "other/key.pem", "other/key.pem")] {
            let config = try String(contentsOfFile: workspace.config, encoding: .utf8)
                .replacingOccurrences(of: "[server]\n", with: "[server]\ntls_certificate = \"\(certificate)\"\ntls_key = \"\(key)\"\n")
            try config.write(toFile: workspace.directory + "/tls.conf", atomically: false, encoding: .utf8)
            let run = try HookpipeBinary.run(["run", "--config", workspace.directory + "/tls.conf"], timeout: 30)
            #expect(run.status == 1)
            #expect(run.stderr.contains(expected), "\(run.stderr)")
        }
    }
}
