import Foundation
import Testing

/// `plugins/tag.pl` keeps the line as it came (issue 26, first hour, item 8).
@Suite("plugins: tag")
struct TagTests {
    static func tag(_ lines: [String], tags: String = "billing,eu") throws -> PluginProcess.Result {
        try PluginProcess.run(["perl", "plugins/tag.pl"], environment: ["TAGS": tags],
                              input: lines.joined(separator: "\n") + "\n")
    }

    @Test("tags and hops are appended; every other member stays byte for byte and in its order")
    func keepsOrder() throws {
        let envelopes = try PluginProcess.envelopes()
        let spaced = #"{ "seq" : 7 , "z" : 1, "a" : {"y":1,"b":"}"}, "n" : 0.10 }"#
        let result = try Self.tag(envelopes + [spaced, "{}", PluginTests.malformed, "[1,2]"])
        #expect(result.status == 0)
        let suffix = #","tags":["billing","eu"],"hops":1}"#
        #expect(result.lines == envelopes.map { String($0.dropLast()) + suffix }
            + [#"{ "seq" : 7 , "z" : 1, "a" : {"y":1,"b":"}"}, "n" : 0.10"# + suffix, #"{"tags":["billing","eu"],"hops":1}"#])
        #expect(result.stderr.components(separatedBy: "not a JSON object").count - 1 == 2, "\(result.stderr)")
    }

    @Test("a line tagged before gets its tags and hops replaced where they stand")
    func replacesInPlace() throws {
        let result = try Self.tag([#"{"seq":9,"hops":2,"z":0.5,"tags":["old"],"a":1}"#], tags: "new")
        #expect(result.status == 0)
        #expect(result.lines == [#"{"seq":9,"hops":3,"z":0.5,"tags":["new"],"a":1}"#])
    }
}
