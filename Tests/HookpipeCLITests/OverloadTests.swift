import Foundation
import Testing

/// Issue 23: descriptors running out, floods of idle connections, refusal
/// logging and a full disk, against the real daemon over 127.0.0.1. Every
/// loop is bounded in count and time. Run one at a time: each holds
/// thousands of sockets and measures the daemon's CPU.
@Suite("hookpipe binary: overload", .serialized)
struct OverloadTests {
    /// A workspace with one `cat` stage and `[server]` keys added.
    static func workspace(server: String = "") throws -> OperatorWorkspace {
        let workspace = try OperatorWorkspace()
        let text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try text.replacingOccurrences(of: "[server]\n", with: "[server]\n\(server)\n")
            .write(toFile: workspace.config, atomically: false, encoding: .utf8)
        return workspace
    }

    /// The pid `status.json` names for the first stage.
    static func stagePid(_ directory: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: directory + "/state/status.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let chain = object["chain"] as? [String: Any], let stages = chain["stages"] as? [[String: Any]],
              let pid = stages.first?["pid"] as? Int else { return nil }
        return Int32(pid)
    }

    /// The two flood tests hold over a thousand sockets in the test process.
    /// Under AddressSanitizer, any `Foundation.Process.run` in the process
    /// meanwhile (this test's `hookpipe sign`, or another suite's) reports a
    /// heap-buffer-overflow inside Foundation's `findMaximumOpenFromProcSelfFD`
    /// (it copies 256 bytes of a `dirent` name past the end of its 32 KiB
    /// directory buffer) and aborts the whole run. Seen 2026-12-06; they run
    /// in the plain suite and under ThreadSanitizer.
    static let notUnderASan = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil

    @Test("RLIMIT_NOFILE 1,024 and 1,100 idle connections: a signed request on a fresh connection is answered within a second, the daemon stays cool, status.json and stage restarts go on",
          .enabled(if: notUnderASan))
    func descriptorsRunOut() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config, descriptorLimit: 1024)
        defer { _ = daemon.stop() }
        try daemon.waitUntilListening()
        _ = workspace.waitFor(timeout: 10) { Self.stagePid(workspace.directory) != nil }
        let flood = Overload.idleConnections(port: workspace.base.port, count: 1_100)
        defer { Overload.closeAll(flood) }
        #expect(flood.count >= 1_024, "only \(flood.count) connections could be opened")
        Thread.sleep(forTimeInterval: 0.5)

        // Three requests, each on a fresh connection: every one is answered, and
        // the fastest within a second (an answer waits for its fsync, which a
        // disk shared with other builds can stretch past a second now and then).
        var answers: [(status: Int?, seconds: TimeInterval)] = []
        for index in 1...3 {
            answers.append(try Overload.timedPost(port: workspace.base.port, config: workspace.config,
                                                  body: #"{"id":"evt_fd_\#(index)","type":"charge.succeeded"}"#))
        }
        for answer in answers {
            #expect(answer.status == 200 || answer.status == 503, "no HTTP answer (\(answer.seconds) s)")
        }
        let fastest = answers.map(\.seconds).min() ?? .infinity
        #expect(fastest < 1, "answered after \(answers.map(\.seconds)) s")
        let share = try #require(Overload.cpuShare(pid: daemon.process.processIdentifier, over: 2))
        #expect(share < 0.3, "the daemon used \(Int(share * 100)) % of a core while holding idle connections")

        // The reserve: status.json is still rewritten, and a killed stage is restarted.
        let written = Overload.statusUpdatedAt(workspace.directory)
        #expect(workspace.waitFor(timeout: 5, interval: 0.2) { Overload.statusUpdatedAt(workspace.directory) != written },
                "status.json was not rewritten while the connections were held")
        let stage = try #require(Self.stagePid(workspace.directory))
        kill(stage, SIGKILL)
        #expect(workspace.waitFor(timeout: 10, interval: 0.2) { (Self.stagePid(workspace.directory) ?? stage) != stage },
                "the killed stage was not restarted while the connections were held")
        let log = daemon.stderr.snapshot()
        #expect(!log.contains("Too many open files"), "\(log.suffix(2_000))")
        for line in log.split(separator: "\n") where line.contains("evt_fd_") { print("overload: daemon log: \(line)") }
        #expect(log.contains("fd.soft=1024"), "the descriptor limit is not logged")
        print("overload: 1,100 idle at RLIMIT_NOFILE 1024: held \(flood.count - Overload.closedByServer(flood)), answered \(answers.map { $0.status.map(String.init) ?? "none" }) in \(answers.map { String(format: "%.3f", $0.seconds) }) s, daemon CPU \(String(format: "%.1f", share * 100)) %")
    }

    @Test("3,000 connections that never speak: legitimate requests are answered within the first-byte deadline, and the silent ones are closed at it",
          .enabled(if: notUnderASan))
    func idleFlood() throws {
        // first_byte_timeout defaults to request_timeout.
        let workspace = try Self.workspace(server: #"request_timeout = "3s""#)
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        defer { _ = daemon.stop() }
        try daemon.waitUntilListening()
        let floodStart = Date()
        let flood = Overload.idleConnections(port: workspace.base.port, count: 3_000)
        defer { Overload.closeAll(flood) }
        let floodSeconds = Date().timeIntervalSince(floodStart)
        #expect(flood.count >= 2_000, "only \(flood.count) connections could be opened")

        var answers: [(status: Int?, seconds: TimeInterval)] = []
        for index in 1...5 {
            answers.append(try Overload.timedPost(port: workspace.base.port, config: workspace.config,
                                                  body: #"{"id":"evt_flood_\#(index)","type":"charge.succeeded"}"#))
        }
        for answer in answers {
            #expect(answer.status == 200, "no 200 (\(answer.status.map(String.init) ?? "no HTTP answer")) after \(answer.seconds) s")
            #expect(answer.seconds < 3, "answered after \(answer.seconds) s, beyond the first-byte deadline")
        }
        // Past the deadline (3 s, checked at least every 3 s) every silent connection is gone.
        let allClosed = workspace.waitFor(timeout: 10, interval: 0.2) { Overload.closedByServer(flood) == flood.count }
        let closedAfter = Date().timeIntervalSince(floodStart) - floodSeconds
        #expect(allClosed, "\(flood.count - Overload.closedByServer(flood)) silent connections still open")
        let slowest = answers.map(\.seconds).max() ?? 0
        print("overload: \(flood.count) silent connections opened in \(String(format: "%.2f", floodSeconds)) s; 5 signed requests, slowest \(String(format: "%.3f", slowest)) s; all silent ones closed \(String(format: "%.1f", closedAfter)) s after the flood")
    }

    @Test("300 refused connections: each gets 503 with Retry-After, and the log says so in at most a few lines")
    func refusalsThrottled() throws {
        let workspace = try Self.workspace(server: "max_connections = 20")
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        defer { _ = daemon.stop() }
        try daemon.waitUntilListening()
        let port = workspace.base.port
        // Twenty requests in progress (heads begun, never finished): no connection is idle.
        let busy = Overload.idleConnections(port: port, count: 20)
        defer { Overload.closeAll(busy) }
        for fd in busy { _ = send(fd, "POST /hooks/stripe HTTP/1.1\r\n", 29, Int32(MSG_NOSIGNAL)) }
        Thread.sleep(forTimeInterval: 0.3)

        var answered503 = 0, withRetryAfter = 0
        let deadline = Date().addingTimeInterval(60)
        for _ in 0..<300 where Date() < deadline {
            guard let response = try? LoopbackHTTP.exchange(port: port, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) else { continue }
            if response.status == 503 { answered503 += 1 }
            if response.headers["retry-after"] != nil { withRetryAfter += 1 }
        }
        #expect(answered503 == 300, "\(answered503) of 300 refused connections got a 503")
        #expect(withRetryAfter == 300)
        let lines = Overload.lines(daemon.stderr.snapshot(), containing: "refused")
        #expect(lines <= 3, "\(lines) log lines about refused connections")
        print("overload: 300 refused connections, \(answered503) answered 503, \(lines) log line(s)")
    }
}
