import Foundation
import Testing

/// The README's flow with the real binary: check, run, sign --send, stop, restart.
@Suite("hookpipe binary", .serialized)
struct DaemonEndToEndTests {
    /// A temporary directory with a config on a free loopback port and secret files.
    struct Workspace {
        let directory: String
        let port: Int
        var config: String { directory + "/pipeline.conf" }

        init(extraSource: String = "") throws {
            directory = NSTemporaryDirectory() + "hookpipe-cli-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory + "/secrets", withIntermediateDirectories: true)
            port = try freePort()
            try "whsec_cli_test_secret".write(toFile: directory + "/secrets/stripe.secret", atomically: false, encoding: .utf8)
            try "mp-cli-secret\n".write(toFile: directory + "/secrets/mp.secret", atomically: false, encoding: .utf8)
            let config = """
                [server]
                host = "127.0.0.1"
                port = \(port)

                [[source]]
                name = "stripe"
                path = "/hooks/stripe"
                scheme = "stripe"
                secrets = ["file:secrets/stripe.secret"]

                [[source]]
                name = "mercadopago"
                path = "/hooks/mercadopago"
                scheme = "mercadopago"
                secrets = ["file:secrets/mp.secret"]
                \(extraSource)
                """
            try config.write(toFile: directory + "/pipeline.conf", atomically: false, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A running `hookpipe run`.
    final class Daemon {
        let process = Process()
        let stderr: ReadAll

        /// - Parameter descriptorLimit: run under this `RLIMIT_NOFILE`, soft and
        ///   hard (`ulimit -n` in a shell that then execs the daemon: same pid).
        init(config: String, environment: [String: String] = [:], descriptorLimit: Int? = nil) throws {
            if let descriptorLimit {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "ulimit -Sn \(descriptorLimit) && ulimit -Hn \(descriptorLimit) && exec \"$0\" run --config \"$1\"",
                                     HookpipeBinary.path, config]
            } else {
                process.executableURL = URL(fileURLWithPath: HookpipeBinary.path)
                process.arguments = ["run", "--config", config]
            }
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            }
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            stderr = ReadAll(err.fileHandleForReading)
        }

        /// Waits (bounded) until the log says the listener is open.
        func waitUntilListening() throws {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if stderr.snapshot().contains("listening") { return }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw DaemonError(log: stderr.snapshot())
        }

        /// SIGTERM, then waits (bounded) for the exit status.
        func stop() -> Int32 {
            process.terminate()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    struct DaemonError: Error, CustomStringConvertible {
        var log: String
        var description: String { "daemon did not start:\n\(log)" }
    }

    @Test("check validates and prints the resolved sources without secrets")
    func check() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let result = try HookpipeBinary.run(["check", "--config", workspace.config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/hooks/stripe"))
        #expect(result.stdout.contains("configuration OK"))
        #expect(!result.stdout.contains("whsec_cli_test_secret"))
        #expect(!result.stderr.contains("whsec_cli_test_secret"))
    }

    @Test("check refuses a broken file, naming it, and run refuses to start")
    func checkRefuses() throws {
        let workspace = try Workspace(extraSource: """

            [[source]]
            name = "broken"
            path = "/hooks/broken"
            scheme = "stripe"
            secrets = ["env:HOOKPIPE_TEST_SURELY_UNSET"]
            """)
        defer { workspace.remove() }
        let check = try HookpipeBinary.run(["check", "--config", workspace.config])
        #expect(check.status == 1)
        #expect(check.stderr.contains("pipeline.conf"))
        #expect(check.stderr.contains("HOOKPIPE_TEST_SURELY_UNSET"))
        let run = try HookpipeBinary.run(["run", "--config", workspace.config], timeout: 30)
        #expect(run.status == 1)
    }

    @Test("check refuses a trusted_proxies entry that is not an address or block, naming it")
    func checkRefusesBadProxy() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try text.replacingOccurrences(of: "[server]\n", with: "[server]\ntrusted_proxies = [\"10.0.0.5\", \"10.0.0.1/8\"]\n")
            .write(toFile: workspace.config, atomically: false, encoding: .utf8)
        let check = try HookpipeBinary.run(["check", "--config", workspace.config])
        #expect(check.status == 1)
        #expect(check.stderr.contains("[server] trusted_proxies"), "\(check.stderr)")
        #expect(check.stderr.contains("10.0.0.1/8"), "\(check.stderr)")
    }

    @Test("an inline secret is accepted with a warning")
    func inlineSecretWarns() throws {
        let workspace = try Workspace(extraSource: """

            [[source]]
            name = "inline"
            path = "/hooks/inline"
            scheme = "github"
            secrets = ["do-not-print-this"]
            """)
        defer { workspace.remove() }
        let check = try HookpipeBinary.run(["check", "--config", workspace.config])
        #expect(check.status == 0)
        #expect(check.stderr.contains("warning"))
        #expect(!(check.stdout + check.stderr).contains("do-not-print-this"))
    }

    @Test("run, sign --send twice (accepted, duplicate), SIGTERM exits 0, restart remembers")
    func runSignStopRestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        let body = #"{"id":"evt_cli_1","type":"payment_intent.succeeded","amount":1000}"#
        let sign = ["sign", "--config", workspace.config, "--source", "stripe", "--data", body, "--send"]
        let first = try HookpipeBinary.run(sign)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("HTTP 200"))
        #expect(first.stdout.contains(#""status":"accepted""#))
        let second = try HookpipeBinary.run(sign)
        #expect(second.stdout.contains(#""status":"duplicate""#))
        #expect(daemon.stop() == 0)
        #expect(daemon.stderr.snapshot().contains("evt_cli_1"))
        #expect(!daemon.stderr.snapshot().contains("whsec_cli_test_secret"))

        let restarted = try Daemon(config: workspace.config)
        try restarted.waitUntilListening()
        let third = try HookpipeBinary.run(sign)
        #expect(third.stdout.contains(#""status":"duplicate""#))
        #expect(third.stdout.contains(#""seq":1"#))
        #expect(restarted.stop() == 0)
    }

    @Test("the printed curl command for MercadoPago is accepted")
    func curlFromSign() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try Daemon(config: workspace.config)
        try daemon.waitUntilListening()
        let printed = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "mercadopago",
                                              "--data", #"{"id":123,"type":"payment","data":{"id":"456"}}"#])
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("data.id=456"))
        #expect(printed.stdout.contains("x-signature"))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", printed.stdout]
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        let answer = ReadAll(out.fileHandleForReading).text()
        shell.waitUntilExit()
        #expect(answer.contains(#""status":"accepted""#), "\(answer)")
        #expect(daemon.stop() == 0)
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
