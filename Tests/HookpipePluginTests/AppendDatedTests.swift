import Foundation
import Testing

/// `plugins/append-dated.pl`'s archive files after a crash (issue 22).
@Suite("plugins: append-dated after a crash")
struct AppendDatedTests {
    /// Runs append-dated on `input` with an archive directory already holding
    /// `files` (name: contents); returns the run and the directory's path.
    static func run(_ input: [String], files: [String: String], in directory: TemporaryDirectory) throws -> (PluginProcess.Result, String) {
        let target = directory.path + "/archive"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for (name, contents) in files {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: target + "/" + name))
        }
        let result = try PluginProcess.run(["perl", "plugins/append-dated.pl"], environment: ["APPEND_DIR": target],
                                           input: input.joined(separator: "\n") + "\n")
        return (result, target)
    }

    @Test("a file that already ends in half a line is cut back to its last newline before appending; a reader sees whole lines only")
    func tornTail() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let envelopes = try PluginProcess.envelopes()
        let torn = #"{"seq":100,"id":"c7ba8-7-13816","source":"chaos","rec"#
        // The second file holds nothing but half a line: it is cut to empty.
        let (result, target) = try Self.run([envelopes[1], envelopes[2]], files: [
            "2026-11-21.ndjson": envelopes[0] + "\n" + torn, "2026-11-22.ndjson": #"{"seq":103,"id":"b1e7"#,
        ], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [envelopes[1], envelopes[2]])
        let first = try String(contentsOfFile: target + "/2026-11-21.ndjson", encoding: .utf8)
        #expect(first == envelopes[0] + "\n" + envelopes[1] + "\n")
        let second = try String(contentsOfFile: target + "/2026-11-22.ndjson", encoding: .utf8)
        #expect(second == envelopes[2] + "\n")
        for line in (first + second).split(separator: "\n") {
            #expect(PluginProcess.object(String(line)) != nil, "not a whole JSON object: \(line)")
        }
        #expect(result.stderr.contains("2026-11-21.ndjson ended in a partial line"), "\(result.stderr)")
        #expect(result.stderr.contains("cut \(torn.utf8.count) bytes"), "\(result.stderr)")
    }

    @Test("a whole archive file is left as it is: nothing is cut, nothing is said")
    func wholeFileKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let envelopes = try PluginProcess.envelopes()
        let (result, target) = try Self.run([envelopes[1]], files: ["2026-11-21.ndjson": envelopes[0] + "\n"], in: directory)
        #expect(result.status == 0)
        #expect(try String(contentsOfFile: target + "/2026-11-21.ndjson", encoding: .utf8) == envelopes[0] + "\n" + envelopes[1] + "\n")
        #expect(!result.stderr.contains("partial line"))
    }
}
