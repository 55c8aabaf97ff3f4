import Foundation
@testable import HookpipeReceiver
import HookpipeVerification
import Testing

@Suite("Slack form-encoded deliveries")
struct SlackFormTests {
    func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("form decoding: + is a space, %XX a byte (UTF-8 across escapes), empty pairs skipped; bad escapes and non-UTF-8 refused")
    func decoding() throws {
        let fields = try #require(SlackForm.fields(Array("a=1+2&&b=%E2%9C%93%20ok&flag&c=".utf8)))
        #expect(fields.map(\.name) == ["a", "b", "flag", "c"])
        #expect(fields.map(\.value) == ["1 2", "✓ ok", "", ""])
        #expect(SlackForm.fields(Array("a=%E2%9C".utf8)) == nil, "escape cut short")
        #expect(SlackForm.fields(Array("a=%zz".utf8)) == nil, "not hex")
        #expect(SlackForm.fields(Array("a=%FF".utf8)) == nil, "not UTF-8")
    }

    @Test("a slash command becomes one object of string fields, without Slack's verification token; a repeated name keeps its last value in its first place")
    func slashCommand() {
        let body = "token=x&command=%2Fdeploy&text=prod+now&trigger_id=13345224609.738474920.8088930838d88f008e0&command=%2Fship&token=y"
        #expect(text(SlackForm.json(from: Array(body.utf8)))
            == #"{"command":"/ship","text":"prod now","trigger_id":"13345224609.738474920.8088930838d88f008e0"}"#)
    }

    @Test("an interaction's payload loses its top-level token, wherever it stands, and keeps every other byte")
    func interactionToken() {
        let cases: [(payload: String, stored: String)] = [
            (#"{"type":"block_actions","token":"legacy","n":0.1}"#, #"{"type":"block_actions","n":0.1}"#),
            (#"{"token":"legacy","type":"shortcut"}"#, #"{"type":"shortcut"}"#),
            (#"{ "type" : "shortcut" , "token" : "legacy" }"#, #"{ "type" : "shortcut"  }"#),
            (#"{"token":"legacy"}"#, #"{}"#),
            (#"{"token":"escaped","user":{"token":"nested stays"},"t":["token"]}"#,
             #"{"user":{"token":"nested stays"},"t":["token"]}"#),
            (#"{"a":{"b":[1,{"c":"}"}]},"token":"x","z":true}"#, #"{"a":{"b":[1,{"c":"}"}]},"z":true}"#),
            (#"{"token":"one","token":"two","x":1}"#, #"{"x":1}"#),
            (#"{"type":"no token here"}"#, #"{"type":"no token here"}"#),
            (#"{"token":"unterminated}"#, #"{"token":"unterminated}"#),
        ]
        for (payload, stored) in cases {
            let body = "payload=" + payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(text(SlackForm.json(from: Array(body.utf8))) == stored, "\(payload)")
        }
    }

    @Test("an interaction's payload field is the event, as sent")
    func interaction() {
        let json = #"{"type":"block_actions","trigger_id":"1.2.3","actions":[{"action_id":"approve"}]}"#
        let body = "payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(text(SlackForm.json(from: Array(body.utf8))) == json)
    }

    @Test("only application/x-www-form-urlencoded counts as a form, with or without parameters and in any case")
    func contentType() {
        #expect(SlackForm.isForm(contentType: "application/x-www-form-urlencoded"))
        #expect(SlackForm.isForm(contentType: "Application/X-WWW-Form-URLEncoded; charset=utf-8"))
        #expect(!SlackForm.isForm(contentType: "application/json"))
        #expect(!SlackForm.isForm(contentType: nil))
        #expect(!SlackForm.isForm(contentType: "application/x-www-form-urlencoded-not"))
    }

    static let form = [("Content-Type", "application/x-www-form-urlencoded")]

    @Test("over HTTP: a signed slash command is stored as JSON and acknowledged with an empty 200; a redelivery is a duplicate")
    func slashCommandOverHTTP() async throws {
        let source = try makeSource(.slack, secrets: ["slack-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let body = "token=gIkuvaNzQIHg97ATvDxqgjtO&command=%2Fdeploy&text=prod+now&user_id=U2147483697&trigger_id=13345224609.738474920.8088930838d88f008e0"
        let first = try await harness.postSigned(source, body: body, extraHeaders: Self.form)
        #expect(first.status == 200)
        #expect(first.body.isEmpty)
        let again = try await harness.postSigned(source, body: body, extraHeaders: Self.form)
        #expect(again.status == 200 && again.body.isEmpty)
        let stored = try await harness.store.events(after: 0, limit: 10)
        #expect(stored.count == 1, "the redelivery is a duplicate")
        #expect(String(decoding: stored.first?.payload ?? [], as: UTF8.self)
            == #"{"command":"/deploy","text":"prod now","user_id":"U2147483697","trigger_id":"13345224609.738474920.8088930838d88f008e0"}"#)
        try await harness.stop()
    }

    @Test("over HTTP: an interaction stores its payload; a bad signature, a malformed form and a payload that is not JSON are refused")
    func interactionOverHTTP() async throws {
        let source = try makeSource(.slack, secrets: ["slack-secret"])
        let harness = try await ReceiverHarness(sources: [source])
        defer { harness.removeDirectory() }
        let json = #"{"type":"view_submission","token":"gIkuvaNzQIHg97ATvDxqgjtO","trigger_id":"9.8.7","view":{"id":"V1"}}"#
        let body = "payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let accepted = try await harness.postSigned(source, body: body, extraHeaders: Self.form)
        #expect(accepted.status == 200 && accepted.body.isEmpty)
        #expect(try await harness.store.events(after: 0, limit: 10).map { String(decoding: $0.payload, as: UTF8.self) }
            == [#"{"type":"view_submission","trigger_id":"9.8.7","view":{"id":"V1"}}"#])

        let forged = try await harness.postSigned(source, body: body, extraHeaders: Self.form + [("X-Slack-Signature", "v0=" + String(repeating: "0", count: 64))])
        #expect(forged.status == 401)
        let malformed = try await harness.postSigned(source, body: "payload=%7", extraHeaders: Self.form)
        #expect(malformed.status == 400)
        #expect(malformed.field("error") == "invalid_form")
        let notJSON = try await harness.postSigned(source, body: "payload=%7Bnope", extraHeaders: Self.form)
        #expect(notJSON.status == 400)
        #expect(notJSON.field("error") == "invalid_json")
        #expect(try await harness.store.lastSequence() == 1)
        try await harness.stop()
    }
}
