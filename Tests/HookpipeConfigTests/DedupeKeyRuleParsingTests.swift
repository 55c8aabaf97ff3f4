import HookpipeVerification
import Testing

@testable import HookpipeConfig

@Suite("DedupeKeyRule parsing")
struct DedupeKeyRuleParsingTests {
    @Test(
        "every form parses",
        arguments: [
            ("header:X-GitHub-Delivery", DedupeKeyRule.header("X-GitHub-Delivery")),
            ("json:/id", .jsonPointer("/id")),
            ("json:/data/a~1b/~0c", .jsonPointer("/data/a~1b/~0c")),
            ("json:/", .jsonPointer("/")),
            ("query:data.id", .query("data.id")),
            ("message-id", .messageID),
            ("body-sha256", .bodyHash),
        ])
    func parses(text: String, expected: DedupeKeyRule) throws {
        #expect(try DedupeKeyRule.parse(text) == expected)
        #expect(expected.description == text)
    }

    @Test(
        "malformed values are refused",
        arguments: [
            "", "id", "header:", "header:X Request", "json:", "json:id", "json:/a~2", "json:/a~", "query:", "query:a b",
            "Message-Id", "body-sha1",
        ])
    func refuses(text: String) {
        #expect(throws: ValueProblem.self) { try DedupeKeyRule.parse(text) }
    }
}
