import HookpipeJSON
import Testing

@Suite("JSONDocument")
struct JSONDocumentTests {
    @Test("valid objects and arrays parse")
    func validDocuments() throws {
        let object = try JSONDocument.parse(Array(#"{"id": "evt_1", "n": 2}"#.utf8)).get()
        #expect(object.isObject)
        let array = try JSONDocument.parse(Array("[1, 2]".utf8)).get()
        #expect(!array.isObject)
    }

    @Test("refusals carry jansson's line, column and message", arguments: [
        (#"{"a": 1"#, 1),
        ("{\n\"a\": 1,\n}", 3),
        (#"{"a": 1} trailing"#, 1),
    ])
    func refusals(text: String, line: Int) {
        guard case .failure(let error) = JSONDocument.parse(Array(text.utf8)) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.line == line)
        #expect(error.column > 0)
        #expect(!error.message.isEmpty)
    }

    @Test("invalid UTF-8, duplicate keys, empty input and bare scalars are refused")
    func otherRefusals() {
        let cases: [[UInt8]] = [
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],  // {"a":"\xFF"}
            Array(#"{"a": 1, "a": 2}"#.utf8),
            [],
            Array("42".utf8),
            Array(String(repeating: "[", count: 100_000).utf8),
            [0x7B, 0x00, 0x7D],
        ]
        for bytes in cases {
            if case .success = JSONDocument.parse(bytes) {
                Issue.record("accepted \(bytes.prefix(20))")
            }
        }
    }

    @Test("integers beyond 64 bits and NUL escapes are valid JSON and accepted")
    func edgeValues() throws {
        let big = try JSONDocument.parse(Array(#"{"n": 123456789012345678901234567890}"#.utf8)).get()
        #expect(big.scalarText(at: "/n") != nil)
        let nul = try JSONDocument.parse(Array(#"{"s": "a\u0000b"}"#.utf8)).get()
        #expect(nul.scalarText(at: "/s")?.utf8.count == 3)
    }

    @Test("JSON pointers resolve strings, numbers, arrays and escapes")
    func pointers() throws {
        let document = try JSONDocument.parse(Array(#"{"id": 42, "data": {"id": "ABC"}, "list": [{"x": "y"}], "a/b": {"~c": "t"}}"#.utf8)).get()
        #expect(document.scalarText(at: "/id") == "42")
        #expect(document.scalarText(at: "/data/id") == "ABC")
        #expect(document.scalarText(at: "/list/0/x") == "y")
        #expect(document.scalarText(at: "/a~1b/~0c") == "t")
        #expect(document.scalarText(at: "/data") == nil)
        #expect(document.scalarText(at: "/missing") == nil)
        #expect(document.scalarText(at: "/list/01/x") == nil)
        #expect(document.scalarText(at: "id") == nil)
    }
}
