import Foundation

/// `Fixtures/fake_api.py` on a free loopback port: a stand-in for the
/// MercadoPago API and for a forwarding target that records what it received.
final class FakeAPI {
    let process = Process()
    private let input = Pipe()
    let port: Int

    struct NotStarted: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PluginProcess.fixtures.appendingPathComponent("fake_api.py").path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The first line is the port; read byte by byte so nothing else is consumed.
        var line = Data()
        let handle = output.fileHandleForReading
        while let byte = try handle.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw NotStarted(description: "fake_api.py did not print its port")
        }
        self.port = port
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far: method, path, lower-cased headers, body.
    func requests() throws -> [[String: Any]] {
        let fetch = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())"
        let result = try PluginProcess.run(["python3", "-c", fetch, base + "/log"], input: "", timeout: 10)
        let log = PluginProcess.object(result.stdout)
        return log?["requests"] as? [[String: Any]] ?? []
    }

    /// Closes its stdin (it exits) and reaps it.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
