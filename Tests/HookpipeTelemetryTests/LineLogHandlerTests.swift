import Foundation
import HookpipeTelemetry
import CoreMetrics
import Logging
import Testing

@Suite("LineLogHandler")
struct LineLogHandlerTests {
    /// Logs through a handler writing into a real pipe and returns the line.
    func logged(journal: Bool, _ body: (Logger) -> Void) throws -> String {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = LineSink.descriptor(fds[1])
        let logger = Logger(label: "test") { label in LineLogHandler(label: label, level: .info, journal: journal, sink: sink) }
        body(logger)
        close(fds[1])
        return String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
    }

    @Test("a line: timestamp, level, quoted message, sorted key=value pairs")
    func plainLine() throws {
        let line = try logged(journal: false) { logger in
            logger.info("request", metadata: ["z.last": "1", "a.first": "two words", "m": #"say "hi"\n"#])
        }
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info request a\.first="two words" m="say \\"hi\\"\\\\n" z\.last=1\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test("a request's line names the peer, and the client when a trusted proxy forwarded it")
    func requestLine() throws {
        let metrics = RequestMetrics(source: "meli", factory: NOOPMetricsHandler.instance)
        let line = try logged(journal: true) { logger in
            RequestCompleted(status: 403, outcome: "address_not_allowed", method: "POST", uri: "/hooks/meli", peer: "10.0.0.5",
                             client: "198.51.100.7", source: "meli", eventID: nil, reason: "not listed", startNanos: 0)
                .emit(to: logger, metrics: metrics)
            RequestCompleted(status: 403, outcome: "address_not_allowed", method: "POST", uri: "/hooks/meli", peer: "10.0.0.5",
                             source: "meli", eventID: nil, reason: "not listed", startNanos: 0)
                .emit(to: logger, metrics: metrics)
        }
        let lines = line.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains("net.client=198.51.100.7 ") == true, "\(line)")
        #expect(lines.first?.contains("net.peer=10.0.0.5 ") == true, "\(line)")
        #expect(lines.last?.contains("net.client") == false, "\(line)")
    }

    @Test("under journald lines start with the syslog priority instead of a time")
    func journal() throws {
        let line = try logged(journal: true) { logger in
            logger.warning("stage hung", metadata: ["stage.name": "jq"])
        }
        #expect(line == "<4>warning \"stage hung\" stage.name=jq\n")
    }

    @Test("records below the level are not written; line breaks never split a record")
    func levelAndNewlines() throws {
        let text = try logged(journal: true) { logger in
            logger.debug("hidden")
            logger.error("multi\nline")
        }
        #expect(text == "<3>error \"multi\\nline\"\n")
    }
}
