@testable import HookpipeConsole
import Testing

@Suite("console routes")
struct ConsoleRouteTests {
    @Test("every page and action maps from its method and path")
    func routes() {
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/") == .serve(.overview))
        #expect(ConsoleRoute.decide(method: "HEAD", path: "/console/") == .serve(.overview))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console") == .redirect("/console/"))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/events") == .serve(.events))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/events/42") == .serve(.event(seq: 42)))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/dead-letters") == .serve(.deadLetters))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/tail") == .serve(.tail))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/tail/stream") == .serve(.tailStream))
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/static/console.js") == .serve(.asset(.script)))
        #expect(ConsoleRoute.decide(method: "POST", path: "/console/events/7/replay") == .serve(.replay(seq: 7)))
        #expect(ConsoleRoute.decide(method: "POST", path: "/console/dead-letters/3/retry") == .serve(.retry(letter: 3)))
        #expect(ConsoleRoute.decide(method: "POST", path: "/console/dead-letters/3/drop") == .serve(.drop(letter: 3)))
    }

    @Test("actions take POST only, pages GET or HEAD only; odd numbers and unknown paths are 404")
    func refusals() {
        #expect(ConsoleRoute.decide(method: "GET", path: "/console/events/7/replay") == .methodNotAllowed(allow: "POST"))
        #expect(ConsoleRoute.decide(method: "POST", path: "/console/events") == .methodNotAllowed(allow: "GET, HEAD"))
        for path in ["/console/events/0", "/console/events/007", "/console/events/-1", "/console/events/1e3",
                     "/console/events/1234567890123456789", "/console/static/../../etc/passwd", "/console/static/x.js",
                     "/console/nope", "/console/events/1/", "/consoles/", "/console//events"] {
            #expect(ConsoleRoute.decide(method: "GET", path: Substring(path)) == .notFound, "\(path)")
        }
        #expect(ConsoleRoute.decide(method: "POST", path: "/console/dead-letters/1/explode") == .notFound)
        #expect(ConsoleRoute.owns("/console") && ConsoleRoute.owns("/console/x") && !ConsoleRoute.owns("/consoles"))
    }

    @Test("only replay, retry and drop are actions")
    func actions() {
        #expect(ConsoleRoute.replay(seq: 1).isAction && ConsoleRoute.retry(letter: 1).isAction && ConsoleRoute.drop(letter: 1).isAction)
        #expect(![ConsoleRoute.overview, .events, .event(seq: 1), .deadLetters, .tail, .tailStream, .asset(.style)].contains { $0.isAction })
    }
}

@Suite("console forms")
struct FormFieldsTests {
    @Test("decodes percent escapes and +; the first value of a name wins")
    func decodes() {
        #expect(FormFields.parse("a=1&b=x+y&c=%3Cscript%3E&a=2&flag") == ["a": "1", "b": "x y", "c": "<script>", "flag": ""])
        #expect(FormFields.parse("") == [:])
        #expect(FormFields.parse("name=%C3%A9") == ["name": "é"])
    }

    @Test("malformed escapes, invalid UTF-8, too many or too long fields are refused")
    func refuses() {
        #expect(FormFields.parse("a=%zz") == nil)
        #expect(FormFields.parse("a=%4") == nil)
        #expect(FormFields.parse("a=%ff") == nil)
        #expect(FormFields.parse(Substring((0..<33).map { "f\($0)=1" }.joined(separator: "&"))) == nil)
        #expect(FormFields.parse(Substring("a=" + String(repeating: "x", count: 513))) == nil)
        #expect(FormFields.parse(Substring((0..<32).map { "f\($0)=1" }.joined(separator: "&")))?.count == 32)
    }

    @Test("encode keeps unreserved characters and round-trips through parse")
    func encodes() {
        let text = "evt_1 & <b>é/?#=+"
        #expect(FormFields.encode("abc-._~09") == "abc-._~09")
        #expect(FormFields.parse(Substring("x=" + FormFields.encode(text))) == ["x": text])
    }
}
