import Foundation
import HookpipeTelemetry
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
