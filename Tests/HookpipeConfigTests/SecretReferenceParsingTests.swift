import Testing

@testable import HookpipeConfig

@Suite("SecretReference parsing")
struct SecretReferenceParsingTests {
    @Test(
        "prefixes choose the kind; anything else is a literal",
        arguments: [
            ("env:STRIPE_SECRET", SecretReference.environment("STRIPE_SECRET")),
            ("file:/run/secrets/x", .file("/run/secrets/x")),
            ("file:secrets/x", .file("/etc/hookpipe/secrets/x")),
            ("file:./x", .file("/etc/hookpipe/x")),
            ("credential:stripe-secret", .credential("stripe-secret")),
            ("whsec_abc", .literal("whsec_abc")),
            ("ENV:X", .literal("ENV:X")),
        ])
    func parses(text: String, expected: SecretReference) throws {
        #expect(try SecretReference.parse(text, baseDirectory: "/etc/hookpipe") == expected)
    }

    @Test(
        "malformed references are refused",
        arguments: ["", "env:", "env:1ABC", "env:A-B", "file:", "credential:", "credential:a/b", "credential:.."])
    func refuses(text: String) {
        #expect(throws: ValueProblem.self) { try SecretReference.parse(text, baseDirectory: "/etc/hookpipe") }
    }

    @Test("the description never shows a literal, and neither does dump")
    func descriptions() {
        #expect(SecretReference.environment("A").description == "env:A")
        #expect(SecretReference.file("/x").description == "file:/x")
        #expect(SecretReference.credential("c").description == "credential:c")
        let literal = SecretReference.literal("hunter2-value")
        #expect(literal.description == "<inline literal>")
        #expect(!String(reflecting: literal).contains("hunter2"))
        var dumped = ""
        dump(literal, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }
}
