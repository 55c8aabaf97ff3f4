import Testing

@testable import HookpipeConfig

/// Input TOMLKit mishandles is refused before it reaches the parser.
@Suite("ConfigLoader guards")
struct ConfigLoaderGuardsTests {
    @Test("an escaped NUL is refused with its line: TOMLKit would silently cut the value there")
    func escapedNUL() {
        expectError("[server]\nhost = \"127.0.0.1\"\n" + minimalSource.replacingOccurrences(of: "env:STRIPE_SECRET", with: "whsec_abc\\u0000def"),
                    code: .syntax, containing: ["pipeline.conf:7:", "\\u0000 (NUL)"])
        #expect(ConfigLoader.escapedNULLine(in: "a = 1\nsecrets = [\"abc\\u0000def\"]\n") == 2)
        #expect(ConfigLoader.escapedNULLine(in: "a = \"\\U00000000\"") == 1)
        #expect(ConfigLoader.escapedNULLine(in: "a = \"\\\\\\u0000\"") == 1)
        // An escaped backslash followed by text, and other escapes, are fine.
        #expect(ConfigLoader.escapedNULLine(in: "a = \"\\\\u0000 \\u0001 \\U00000041\"") == nil)
    }

    /// Headers on which toml++'s parse_key asserts (the debug build aborted), found by FuzzConfigLoader.
    @Test("a table header without a name is refused with its line instead of crashing the parser",
          arguments: ["[[[source]]", "[.a]", "[[#]]", "[[=]]", "[[\t[a]]]", "[[,]]", "[", "[\r", "[[ ", "[[é]]", "[;]"])
    func malformedHeader(_ header: String) {
        expectError(minimalSource + "\n\n" + header + "\n", code: .syntax,
                    containing: ["pipeline.conf:7:", "expected a table name after '[' or '[['"])
    }

    @Test("brackets in values, strings and comments, and quoted or blank header names, are left to the parser")
    func validBracketsPass() {
        let valid = [
            "a = [\n  [1], [ [2] ],\n]\n[ok]",
            "a = \"\"\"\n[.x\n\"\"\"\n[ok]",
            "a = '''\n[#\n'''",
            "a = \"x\\\"[\"\n[[ \"q\" ]]",
            "a = { b = [\n1] }\n[c]",
            "# [.comment]\n  [ 'quoted' ]\n[[ -dash_1 ]]",
            "[[ ]]",
        ]
        for text in valid {
            #expect(ConfigLoader.malformedTableHeaderLine(in: text) == nil, "\(text)")
        }
        #expect(ConfigLoader.malformedTableHeaderLine(in: "a = \"\"\"\nx\n\"\"\"\n[.b]") == 4)
    }
}
