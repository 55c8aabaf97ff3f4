import HookpipeJSON
import Testing

@Suite("JSONDocument: reading for people")
struct JSONDocumentReadingTests {
    func document(_ text: String) throws -> JSONDocument {
        try JSONDocument.parse(Array(text.utf8)).get()
    }

    @Test("pretty keeps key order, indents by two and escapes what JSON escapes")
    func pretty() throws {
        let text = try document(#"{"z":1,"a":{"b":[true,null]},"s":"<é\n\"x\">"}"#).pretty()
        #expect(text == "{\n  \"z\": 1,\n  \"a\": {\n    \"b\": [\n      true,\n      null\n    ]\n  },\n  \"s\": \"<é\\n\\\"x\\\">\"\n}")
    }

    @Test("strings and booleans at a pointer; other shapes are nil")
    func accessors() throws {
        let doc = try document(#"{"v":{"fields":["timestamp",3,"body"],"body":true,"off":false,"n":1}}"#)
        #expect(doc.strings(at: "/v/fields") == ["timestamp", "body"])
        #expect(doc.strings(at: "/v/body") == nil && doc.strings(at: "/nope") == nil)
        #expect(doc.boolean(at: "/v/body") == true && doc.boolean(at: "/v/off") == false)
        #expect(doc.boolean(at: "/v/n") == nil && doc.boolean(at: "/v/fields") == nil)
    }
}
