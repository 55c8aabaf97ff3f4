import HookpipeJSON
import Testing

@Suite("Envelope")
struct EnvelopeTests {
    @Test("the line splices metadata after seq and keeps the payload's bytes")
    func line() throws {
        let metadata = JSONObjectBuilder()
        metadata.set("id", "evt_1")
        metadata.set("source", "stripe")
        let payload = Array("{\n  \"amount\": 0.1,\r\n  \"n\": 1\n}".utf8)
        let line = Envelope.line(seq: 7, metadata: metadata.serialized(), payload: payload)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text == #"{"seq":7,"id":"evt_1","source":"stripe","payload":{   "amount": 0.1,    "n": 1 }}"#)
        #expect(!line.contains(0x0A))
        let parsed = try JSONDocument.parse(line).get()
        #expect(parsed.scalarText(at: "/payload/amount") == "0.1")
        #expect(parsed.scalarText(at: "/seq") == "7")
    }

    @Test("builder output is compact, ordered JSON that jansson reads back")
    func builder() throws {
        let nested = JSONObjectBuilder()
        nested.set("ok", true)
        let object = JSONObjectBuilder()
        object.set("s", "quote \" and \u{e9}")
        object.set("n", Int64(-3))
        object.set("list", ["a", "b"])
        object.set("nested", nested)
        let bytes = object.serialized()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"s":"quote \" and é","n":-3,"list":["a","b"],"nested":{"ok":true}}"#)
        #expect(try JSONDocument.parse(bytes).get().scalarText(at: "/s") == "quote \" and \u{e9}")
    }

    @Test("RFC 3339 timestamps have microseconds and UTC")
    func timestamps() {
        #expect(RFC3339.format(micros: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC3339.format(micros: 1_763_755_200_123_456) == "2025-11-21T20:00:00.123456Z")
        #expect(RFC3339.format(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(RFC3339.format(micros: 253_402_300_799_999_999) == "9999-12-31T23:59:59.999999Z")
        #expect(RFC3339.format(micros: 253_402_300_800_000_000) == "10000-01-01T00:00:00.000000Z")
        #expect(RFC3339.format(micros: 1_000_000_000_000_007) == "2001-09-09T01:46:40.000007Z")
        // Every format reads back as the instant it came from.
        for micros: Int64 in [0, 1, 999_999, 951_782_400_000_001, 1_763_755_200_123_456, 4_102_444_799_999_999] {
            #expect(RFC3339.parse(RFC3339.format(micros: micros)) == micros)
        }
    }
}
