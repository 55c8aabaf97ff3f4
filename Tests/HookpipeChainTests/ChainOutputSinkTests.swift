import Foundation
import HookpipeSync
import HookpipeConfig
import Testing

@testable import HookpipeChain

/// The chain's output file: whole lines only, one writer at a time.
@Suite("ChainOutputSink")
struct ChainOutputSinkTests {
    func temporaryFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "hookpipe-output-\(UUID().uuidString).ndjson"
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>"
    }

    @Test("a partial last line (a write cut short by a crash) is cut off on open; whole lines stay")
    func cutsPartialLine() throws {
        let path = try temporaryFile(#"{"seq":1}"# + "\n" + #"{"seq":2,"id":"ev"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try ChainOutputSink(.file(path))
        #expect(sink.truncatedOnOpen == 17)
        #expect(contents(path) == #"{"seq":1}"# + "\n")
        sink.claim(1)
        try sink.write([Array(#"{"seq":2}"#.utf8)], as: 1)
        sink.close()
        #expect(contents(path) == #"{"seq":1}"# + "\n" + #"{"seq":2}"# + "\n")
    }

    @Test("a file of whole lines, an empty file and a file with no newline at all", arguments: [
        ("{\"a\":1}\n{\"b\":2}\n", 0, "{\"a\":1}\n{\"b\":2}\n"),
        ("", 0, ""),
        ("{\"a\":", 5, ""),
    ])
    func wholeOrNothing(original: String, cut: Int, kept: String) throws {
        let path = try temporaryFile(original)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try ChainOutputSink(.file(path))
        #expect(sink.truncatedOnOpen == Int64(cut))
        sink.close()
        #expect(contents(path) == kept)
    }

    @Test("a partial line longer than one read is found and cut")
    func longPartialLine() throws {
        let path = try temporaryFile(#"{"seq":1}"# + "\n" + String(repeating: "x", count: 200_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try ChainOutputSink(.file(path))
        #expect(sink.truncatedOnOpen == 200_000)
        sink.close()
        #expect(contents(path) == #"{"seq":1}"# + "\n")
    }

    @Test("only the process that claimed the output writes; nothing writes after close")
    func oneWriter() throws {
        let path = try temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try ChainOutputSink(.file(path))
        sink.claim(1)
        try sink.write([Array(#"{"n":1}"#.utf8)], as: 1)
        sink.claim(2)
        #expect(throws: ChainOutputSink.WriteError.self) { try sink.write([Array(#"{"n":2}"#.utf8)], as: 1) }
        try sink.write([Array(#"{"n":3}"#.utf8)], as: 2)
        sink.close()
        #expect(throws: ChainOutputSink.WriteError.self) { try sink.write([Array(#"{"n":4}"#.utf8)], as: 2) }
        #expect(contents(path) == #"{"n":1}"# + "\n" + #"{"n":3}"# + "\n")
    }

    @Test("without the lease: nothing is written or synced; abandoning cuts the file back to its last sync")
    func leaseGuard() throws {
        let path = try temporaryFile(#"{"n":0}"# + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trusted = Locked(true)
        let sink = try ChainOutputSink(.file(path), mayWrite: { trusted.withLock { $0 } })
        sink.claim(1)
        try sink.write([Array(#"{"n":1}"#.utf8)], as: 1)
        try sink.sync()
        try sink.write([Array(#"{"n":2}"#.utf8)], as: 1)
        trusted.withLock { $0 = false }
        #expect(throws: ChainOutputSink.WriteError.self) { try sink.write([Array(#"{"n":3}"#.utf8)], as: 1) }
        #expect(throws: (any Error).self) { try sink.sync() }
        // Written but never synced: cut on abandon.
        #expect(sink.abandon() == Int64(#"{"n":2}"#.utf8.count + 1))
        #expect(contents(path) == #"{"n":0}"# + "\n" + #"{"n":1}"# + "\n")
        #expect(throws: ChainOutputSink.WriteError.self) { try sink.write([Array(#"{"n":4}"#.utf8)], as: 1) }
    }
}
