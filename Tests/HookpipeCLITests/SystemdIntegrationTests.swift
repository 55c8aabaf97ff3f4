import Foundation
import Testing

/// The daemon under systemd's protocols, played by the test: a real notify
/// datagram socket, and a listening socket passed as fd 3.
@Suite("hookpipe binary: systemd", .serialized)
struct SystemdIntegrationTests {
    /// An AF_UNIX datagram socket bound to a path, like systemd's notify socket.
    final class NotifySocket {
        let path: String
        private let fd: Int32

        init(directory: String) throws {
            path = directory + "/notify.sock"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var tv = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Datagrams received until `until` holds for the collected ones, or `timeout`.
        func receive(timeout: TimeInterval, until done: ([String]) -> Bool) -> [String] {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline && !done(messages) {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
            }
            return messages
        }

        deinit { close(fd) }
    }

    @Test("READY=1 after the listener is bound, STATUS, gated WATCHDOG=1 pings, STOPPING=1 on SIGTERM")
    func notifyProtocol() throws {
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: """

            [[stage]]
            name = "cat"
            command = ["cat"]
            """)
        defer { workspace.remove() }
        let notify = try NotifySocket(directory: workspace.directory)
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config, environment: [
            "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000",
        ])
        let started = notify.receive(timeout: 30) { $0.contains("READY=1") && $0.contains { $0.hasPrefix("WATCHDOG=1") } }
        #expect(started.contains("READY=1"), "\(started)")
        #expect(started.contains { $0.hasPrefix("STATUS=2 sources; chain of 1 stages") }, "\(started)")
        #expect(started.contains("WATCHDOG=1"), "no watchdog ping within 30 s: \(started)")
        // READY only once the port accepts connections.
        #expect(daemon.stderr.snapshot().contains("listening"))
        // SIGHUP: RELOADING=1 with the monotonic clock, then READY=1 once applied.
        kill(daemon.process.processIdentifier, SIGHUP)
        let reloaded = notify.receive(timeout: 30) { $0.contains { $0.hasPrefix("RELOADING=1") } && $0.last == "READY=1" }
        let reloading = try #require(reloaded.first { $0.hasPrefix("RELOADING=1") }, "\(reloaded)")
        let fields = reloading.split(separator: "\n")
        #expect(fields.contains { $0.hasPrefix("MONOTONIC_USEC=") && UInt64($0.dropFirst(15)) != nil }, "\(reloading)")
        #expect(reloaded.last == "READY=1", "\(reloaded)")
        #expect(daemon.process.isRunning)
        daemon.process.terminate()
        let stopping = notify.receive(timeout: 20) { $0.contains("STOPPING=1") }
        #expect(stopping.contains("STOPPING=1"), "\(stopping)")
        #expect(daemon.stop() == 0)
    }

    @Test("socket activation: the daemon serves on the socket it was given as fd 3")
    func socketActivation() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        launcher.arguments = ["python3", CrashRecoveryTests.fixtures + "/activate.py", HookpipeBinary.path, workspace.config]
        let out = Pipe(), err = Pipe()
        launcher.standardOutput = out
        launcher.standardError = err
        try launcher.run()
        let stderr = ReadAll(err.fileHandleForReading)
        let portLine = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)), "launcher printed \(portLine)")
        #expect(port != workspace.port)
        let deadline = Date().addingTimeInterval(30)
        while !stderr.snapshot().contains("listening") && Date() < deadline && launcher.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        let sent = try HookpipeBinary.run(["sign", "--config", workspace.config, "--source", "stripe", "--url", "http://127.0.0.1:\(port)",
                                           "--data", #"{"id":"evt_activated"}"#, "--send"])
        #expect(sent.stdout.contains(#""status":"accepted""#), "\(sent.stdout)\(sent.stderr)\n\(stderr.snapshot())")
        #expect(stderr.snapshot().contains("http.address=127.0.0.1:\(port)"))
        launcher.terminate()
        launcher.waitUntilExit()
        #expect(launcher.terminationStatus == 0)
    }
}
