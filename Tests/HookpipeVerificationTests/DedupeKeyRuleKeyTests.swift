import HookpipeVerification
import Testing

@Suite("DedupeKeyRule.key")
struct DedupeKeyRuleKeyTests {
    let body = Array(#"{"id":"evt_1","data":{"id":42}}"#.utf8)
    /// `printf '%s' '{"id":"evt_1","data":{"id":42}}' | sha256sum`
    let hash = "sha256:bd0b772dfe367174c7450c51b131940cdfdd74616773cc4405a760c4aa97d7c5"

    func pointer(_ pointer: String) -> String? {
        ["/id": "evt_1", "/data/id": "42", "/empty": ""][pointer]
    }

    @Test("each rule reads its part of the delivery")
    func rules() {
        let headers: HeaderFields = ["X-GitHub-Delivery": "d-1"]
        let query = [(name: "data.id", value: "q-1")]
        #expect(DedupeKeyRule.header("x-github-delivery").key(headers: headers, body: body, bodyValue: pointer) == "d-1")
        #expect(DedupeKeyRule.jsonPointer("/data/id").key(body: body, bodyValue: pointer) == "42")
        #expect(DedupeKeyRule.query("data.id").key(query: query, body: body, bodyValue: pointer) == "q-1")
        #expect(DedupeKeyRule.messageID.key(messageID: "m-1", body: body, bodyValue: pointer) == "m-1")
        #expect(DedupeKeyRule.bodyHash.key(headers: headers, messageID: "m-1", body: body, bodyValue: pointer) == hash)
    }

    @Test("an absent or empty value falls back to the body's SHA-256, as for an injected line with no request")
    func fallback() {
        #expect(DedupeKeyRule.header("X-Missing").key(body: body, bodyValue: pointer) == hash)
        #expect(DedupeKeyRule.jsonPointer("/nope").key(body: body, bodyValue: pointer) == hash)
        #expect(DedupeKeyRule.jsonPointer("/empty").key(body: body, bodyValue: pointer) == hash)
        #expect(DedupeKeyRule.query("data.id").key(body: body, bodyValue: pointer) == hash)
        #expect(DedupeKeyRule.messageID.key(body: body, bodyValue: pointer) == hash)
        #expect(DedupeKeyRule.bodyHashKey(body) == hash)
    }
}
