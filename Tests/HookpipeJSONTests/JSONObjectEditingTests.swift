import HookpipeJSON
import Testing

@Suite("JSONObjectBuilder: editing and raw members; Envelope.parts")
struct JSONObjectEditingTests {
    @Test("a parsed object keeps its members in order; members can be added, removed and read")
    func editParsed() throws {
        let object = try #require(JSONObjectBuilder(parsing: Array(#"{"id":"evt_1","n":2,"nested":{"a":[1,2]}}"#.utf8)))
        object.set("replay_of", Int64(7))
        object.remove("n")
        #expect(object.integer("replay_of") == 7)
        #expect(object.integer("id") == nil)
        #expect(String(decoding: object.serialized(), as: UTF8.self) == #"{"id":"evt_1","nested":{"a":[1,2]},"replay_of":7}"#)
        #expect(JSONObjectBuilder(parsing: Array("[1]".utf8)) == nil)
        #expect(JSONObjectBuilder(parsing: Array("{".utf8)) == nil)
    }

    @Test("arrays of objects and null")
    func arraysAndNull() {
        let first = JSONObjectBuilder()
        first.set("n", Int64(1))
        let object = JSONObjectBuilder()
        object.set("list", [first, JSONObjectBuilder()])
        object.setNull("none")
        #expect(String(decoding: object.serialized(), as: UTF8.self) == #"{"list":[{"n":1},{}],"none":null}"#)
    }

    @Test("a raw member is spliced byte for byte (numbers are not re-serialised), line breaks become spaces")
    func rawMember() throws {
        let object = JSONObjectBuilder()
        object.set("id", Int64(3))
        let raw = Array("{\"amount\":0.1,\n\"k\":\"v\"}".utf8)
        let text = String(decoding: object.serialized(appendingRaw: "line \"x\"", raw), as: UTF8.self)
        #expect(text == #"{"id":3,"line \"x\"":{"amount":0.1, "k":"v"}}"#)
        #expect(String(decoding: JSONObjectBuilder().serialized(appendingRaw: "a", Array("[]".utf8)), as: UTF8.self) == #"{"a":[]}"#)
        _ = try JSONDocument.parse(Array(text.utf8)).get()
    }

    @Test("Envelope.parts gives back what a stored envelope line was made of, and nothing for other lines")
    func envelopeParts() throws {
        let metadata = JSONObjectBuilder()
        metadata.set("id", "evt_1")
        metadata.set("source", "stripe")
        let payload = Array(#"{"amount":0.1,"list":[1, 2]}"#.utf8)
        let line = Envelope.line(seq: 42, metadata: metadata.serialized(), payload: payload)
        let parts = try #require(Envelope.parts(of: line))
        #expect(parts.seq == 42)
        #expect(parts.metadata == metadata.serialized())
        #expect(parts.payload == payload)
        // A line the chain fed (a dead letter's): the same parts, without the run's mark.
        let marked = Envelope.line(seq: 42, metadata: metadata.serialized(), payload: payload, mark: 0x0123_4567_89AB_CDEF)
        #expect(String(decoding: marked, as: UTF8.self).hasPrefix(#"{"seq":42,"mark":"0123456789abcdef","id":"evt_1""#))
        let markedParts = try #require(Envelope.parts(of: marked))
        #expect(markedParts.seq == 42 && markedParts.metadata == metadata.serialized() && markedParts.payload == payload)
        let bare = Envelope.line(seq: 1, metadata: Array("{}".utf8), payload: Array("[]".utf8))
        #expect(Envelope.parts(of: bare)?.payload == Array("[]".utf8))
        // Rewritten by a stage: members moved or added after the payload, or re-spaced.
        #expect(Envelope.parts(of: Array(#"{"seq":42,"payload":{},"normalized":{}}"#.utf8)) == nil)
        #expect(Envelope.parts(of: Array(#"{"seq": 42, "id":"evt_1","payload":{}}"#.utf8)) == nil)
        #expect(Envelope.parts(of: Array(#"{"id":"evt_1","payload":{}}"#.utf8)) == nil)
        #expect(Envelope.parts(of: Array("not json".utf8)) == nil)
    }
}
