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

    /// toml++ skips a byte order mark, so the header after it is at the start of a line (FuzzConfigLoader).
    @Test("a byte order mark does not hide a header or a value from the checks")
    func byteOrderMark() {
        let bom = "\u{FEFF}"
        #expect(ConfigLoader.firstGuardedProblem(in: bom + "[[ = \"x\"") == .tableHeader(line: 1))
        #expect(ConfigLoader.firstGuardedProblem(in: bom + "x = 1979-05-27T:") == .dateTime(line: 1))
        #expect(ConfigLoader.firstGuardedProblem(in: bom + "[server]\nhost = \"127.0.0.1\"") == nil)
        expectError(bom + "[[ = \"unnaname = \"unnated\n", code: .syntax, containing: ["pipeline.conf:1:", "expected a table name"])
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
            #expect(ConfigLoader.firstGuardedProblem(in: text) == nil, "\(text)")
        }
        #expect(ConfigLoader.firstGuardedProblem(in: "a = \"\"\"\nx\n\"\"\"\n[.b]") == .tableHeader(line: 4))
    }

    /// Values on which toml++'s parse_time asserts (a date, `T`, no digit), found by FuzzConfigLoader.
    @Test("a date followed by T and no time is refused with its line instead of crashing the parser",
          arguments: ["x = 1979-05-27Tpath2:00Z", "x = 1979-05-27t:", "x = 1234-12-12T:", "x = [1, 1979-05-27Tx:]",
                      "x = [\n  1979-05-27T:00 ]", "x =1979-05-27T", "x = 1979-05-27T # comment"])
    func dateWithoutTime(_ value: String) {
        expectError(minimalSource + "\n\n" + value + "\n", code: .syntax,
                    containing: ["pipeline.conf:", "a date-time needs a time (hh:mm:ss) right after the 'T'"])
        #expect(ConfigLoader.firstGuardedProblem(in: "a = 1\n" + value) == .dateTime(line: value.contains("\n") ? 3 : 2))
    }

    @Test("dates and date-times that toml++ parses, and date-like text in strings, comments and keys, are left to the parser")
    func validDatesPass() {
        let valid = [
            "x = 1979-05-27T07:32:00Z", "x = 1979-05-27t07:32:00", "x = 1979-05-27 07:32:00", "x = 1979-05-27",
            "x = \"1979-05-27Tpath:00\"", "x = '1979-05-27T:'", "x = \"\"\"\n1979-05-27T:\n\"\"\"",
            "# x = 1979-05-27T:", "1979-05-27Tx = 1", "x = 11979-05-27", "x = [1979-05-27T07:32:00]", "[1979-05-27Tx]",
        ]
        for text in valid {
            #expect(ConfigLoader.firstGuardedProblem(in: text) == nil, "\(text)")
        }
    }
}
