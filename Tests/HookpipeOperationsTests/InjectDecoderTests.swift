import HookpipeConfig
import HookpipeJSON
import HookpipeOperations
import HookpipeProcess
import HookpipeStore
import HookpipeVerification
import Testing

@Suite("InjectDecoder")
struct InjectDecoderTests {
    func decoder(_ scheme: SchemeKind = .stripe, rule: DedupeKeyRule? = nil, idPointer: String? = nil, max: Int = 1000) -> InjectDecoder {
        InjectDecoder(source: SourceConfig(name: "pay", path: "/hooks/pay", scheme: scheme, dedupeKey: rule, dedupeWindow: .seconds(60)),
                      idPointer: idPointer, maxLineBytes: max)
    }

    func eventOf(_ outcome: InjectDecoder.Outcome) -> IncomingEvent? {
        if case .event(let event) = outcome { return event }
        return nil
    }

    func reason(_ outcome: InjectDecoder.Outcome) -> String? {
        if case .invalid(let reason) = outcome { return reason }
        return nil
    }

    func decode(_ decoder: InjectDecoder, _ text: String) -> InjectDecoder.Outcome {
        decoder.decode(.complete(Array(text.utf8)), nowMicros: 1_763_755_200_000_000)
    }

    @Test("an object line becomes an event of the source, keyed by the scheme's rule, marked injected and not verified")
    func stripeLine() throws {
        let event = try #require(eventOf(decode(decoder(), #"{"id":"evt_9","amount":0.1}"# + "\r")))
        #expect(event.source == "pay")
        #expect(event.dedupeKey == "evt_9")
        #expect(event.dedupeWindow == .seconds(60))
        #expect(event.payload == Array(#"{"id":"evt_9","amount":0.1}"#.utf8))
        #expect(event.receivedAtMicros == 1_763_755_200_000_000)
        #expect(String(decoding: event.metadata, as: UTF8.self) == #"{"id":"evt_9","source":"pay","received_at":"2025-11-21T20:00:00.000000Z","injected":true,"verified":{"scheme":"stripe","body":false,"fields":[]},"headers":{},"query":{}}"#)
    }

    @Test("rules that read the HTTP request fall back to the line's SHA-256, like a request lacking them")
    func requestRulesFallBack() throws {
        let line = #"{"action":"opened"}"#
        let hash = DedupeKeyRule.bodyHashKey(Array(line.utf8))
        #expect(eventOf(decode(decoder(.github), line))?.dedupeKey == hash)
        #expect(eventOf(decode(decoder(.stripe, rule: .header("X-Id")), line))?.dedupeKey == hash)
        #expect(eventOf(decode(decoder(.mercadopago, rule: .query("data.id")), line))?.dedupeKey == hash)
        #expect(eventOf(decode(decoder(.stripe), line))?.dedupeKey == hash, "json rule with the pointer absent")
        #expect(eventOf(decode(decoder(.stripe, rule: .jsonPointer("/action")), line))?.dedupeKey == "opened")
    }

    @Test("--id-pointer overrides the rule; a line without it is refused")
    func idPointer() {
        let decoder = decoder(.github, idPointer: "/data/id")
        #expect(eventOf(decode(decoder, #"{"data":{"id":123}}"#))?.dedupeKey == "123")
        #expect(reason(decode(decoder, #"{"data":{}}"#)) == "no string or number at /data/id (--id-pointer)")
    }

    @Test("invalid JSON (with jansson's column), non-objects and oversized lines are refused; blank lines skipped")
    func refusals() throws {
        let invalid = try #require(reason(decode(decoder(), #"{"id":1,}"#)))
        #expect(invalid.hasPrefix("not JSON: "), "\(invalid)")
        #expect(reason(decode(decoder(), "not json")) == "not JSON: '[' or '{' expected near 'not' (jansson stopped at column 3)")
        #expect(reason(decode(decoder(), #"{"id":1,"id":2}"#))?.contains("duplicate") == true)
        #expect(reason(decode(decoder(), "[1,2]")) == "not a JSON object (one event object per line is expected)")
        #expect(reason(decode(decoder(max: 10), #"{"id":"0123456789"}"#)) == "19 bytes, more than max_body_bytes (10)")
        #expect(reason(decoder(max: 10).decode(.oversized(prefix: [], length: 5000), nowMicros: 0)) == "5000 bytes, more than max_body_bytes (10)")
        if case .blank = decode(decoder(), "  \t\r") {} else { Issue.record("a blank line is skipped") }
        if case .blank = decode(decoder(), "") {} else { Issue.record("an empty line is skipped") }
    }
}
