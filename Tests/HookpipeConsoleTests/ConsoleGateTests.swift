import Foundation
@testable import HookpipeConsole
import Testing

@Suite("console gate: host, credentials, CSRF")
struct ConsoleGateTests {
    func request(_ method: String = "GET", _ uri: String = "/console/", headers: [(String, String)]) -> ConsoleRequest {
        ConsoleRequest(method: method, uri: uri, headers: headers.map { (name: $0.0, value: $0.1) }, body: [], peer: "127.0.0.1")
    }

    func status(_ decision: ConsoleGate.Decision) -> Int? {
        if case .refuse(let response) = decision { return response.status }
        return nil
    }

    @Test("without credentials, only loopback host names are answered (DNS rebinding)")
    func loopbackHosts() {
        for host in ["localhost", "localhost:8081", "127.0.0.1", "127.0.0.1:8081", "127.1.2.3:1", "[::1]", "[::1]:8081", "LOCALHOST"] {
            #expect(ConsoleGate.isLoopbackHost(host), "\(host)")
        }
        for host in ["evil.example", "evil.example:8081", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1",
                     "[::2]", "[::1]x", "127.0.0.1:80x", "128.0.0.1", "127.0.0", ""] {
            #expect(!ConsoleGate.isLoopbackHost(host), "\(host)")
        }
        let gate = ConsoleGate(credentials: nil, actionsEnabled: true, csrf: CSRFGuard())
        #expect(gate.decide(request(headers: [("Host", "127.0.0.1:8081")]), route: .overview, form: [:]) == .proceed(actor: "peer 127.0.0.1"))
        #expect(status(gate.decide(request(headers: [("Host", "evil.example")]), route: .overview, form: [:])) == 421)
        #expect(status(gate.decide(request(headers: []), route: .overview, form: [:])) == 421)
    }

    @Test("user:password credentials: basic authentication with that user only")
    func basic() {
        let gate = ConsoleGate(credentials: ConsoleCredentials(secret: "ops:s3cret:with:colons"), actionsEnabled: true, csrf: CSRFGuard())
        func basic(_ text: String) -> (String, String) { ("Authorization", "Basic " + Data(text.utf8).base64EncodedString()) }
        // Any host is fine once credentials are required.
        #expect(gate.decide(request(headers: [("Host", "hooks.example"), basic("ops:s3cret:with:colons")]), route: .overview, form: [:])
                == .proceed(actor: "ops"))
        for bad in [basic("ops:s3cret"), basic("other:s3cret:with:colons"), basic("ops"), ("Authorization", "Basic !!!"),
                    ("Authorization", "Bearer s3cret:with:colons"), ("Authorization", "Digest x")] {
            let decision = gate.decide(request(headers: [("Host", "127.0.0.1"), bad]), route: .overview, form: [:])
            #expect(status(decision) == 401, "\(bad)")
            if case .refuse(let response) = decision {
                #expect(response.headers.contains { $0.name == "www-authenticate" && $0.value.hasPrefix("Basic realm=") })
            }
        }
        #expect(status(gate.decide(request(headers: [("Host", "127.0.0.1")]), route: .overview, form: [:])) == 401)
    }

    @Test("a token: bearer, or the password of basic authentication with any user")
    func token() {
        let gate = ConsoleGate(credentials: ConsoleCredentials(secret: "tok_123"), actionsEnabled: true, csrf: CSRFGuard())
        #expect(gate.decide(request(headers: [("Authorization", "Bearer tok_123")]), route: .overview, form: [:]) == .proceed(actor: "token"))
        #expect(gate.decide(request(headers: [("Authorization", "Basic " + Data("anna:tok_123".utf8).base64EncodedString())]),
                            route: .overview, form: [:]) == .proceed(actor: "anna"))
        #expect(status(gate.decide(request(headers: [("Authorization", "Bearer tok_12")]), route: .overview, form: [:])) == 401)
        #expect(status(gate.decide(request(headers: [("Authorization", "Bearer tok_1234")]), route: .overview, form: [:])) == 401)
    }

    @Test("an action needs the token made for the browser's session cookie, this origin, and actions turned on")
    func csrf() {
        let guardian = CSRFGuard()
        let gate = ConsoleGate(credentials: nil, actionsEnabled: true, csrf: guardian)
        let session = CSRFGuard.newSession()
        let token = guardian.token(session: session)
        #expect(token.count == 64 && session.count == 32)
        let cookie = ("Cookie", "theme=dark; \(CSRFGuard.cookie)=\(session)")
        let host = ("Host", "127.0.0.1:8081")
        #expect(gate.decide(request("POST", headers: [host, cookie]), route: .replay(seq: 1), form: ["csrf": token]) == .proceed(actor: "peer 127.0.0.1"))
        #expect(gate.decide(request("POST", headers: [host, cookie, ("Origin", "http://127.0.0.1:8081"), ("Sec-Fetch-Site", "same-origin")]),
                            route: .replay(seq: 1), form: ["csrf": token]) == .proceed(actor: "peer 127.0.0.1"))
        // Each of these is refused.
        #expect(status(gate.decide(request("POST", headers: [host]), route: .replay(seq: 1), form: ["csrf": token])) == 403)
        #expect(status(gate.decide(request("POST", headers: [host, cookie]), route: .replay(seq: 1), form: [:])) == 403)
        let other = CSRFGuard().token(session: session)
        #expect(status(gate.decide(request("POST", headers: [host, cookie]), route: .replay(seq: 1), form: ["csrf": other])) == 403)
        let otherSession = ("Cookie", "\(CSRFGuard.cookie)=\(CSRFGuard.newSession())")
        #expect(status(gate.decide(request("POST", headers: [host, otherSession]), route: .drop(letter: 1), form: ["csrf": token])) == 403)
        #expect(status(gate.decide(request("POST", headers: [host, cookie, ("Origin", "http://evil.example")]),
                                   route: .retry(letter: 1), form: ["csrf": token])) == 403)
        #expect(status(gate.decide(request("POST", headers: [host, cookie, ("Origin", "null")]),
                                   route: .retry(letter: 1), form: ["csrf": token])) == 403)
        #expect(status(gate.decide(request("POST", headers: [host, cookie, ("Sec-Fetch-Site", "cross-site")]),
                                   route: .retry(letter: 1), form: ["csrf": token])) == 403)
        let off = ConsoleGate(credentials: nil, actionsEnabled: false, csrf: guardian)
        #expect(status(off.decide(request("POST", headers: [host, cookie]), route: .replay(seq: 1), form: ["csrf": token])) == 403)
        #expect(off.decide(request(headers: [host]), route: .overview, form: [:]) == .proceed(actor: "peer 127.0.0.1"))
    }

    @Test("only cookies this console could have made are read as a session")
    func sessions() {
        let session = CSRFGuard.newSession()
        #expect(CSRFGuard.session(cookieHeader: "\(CSRFGuard.cookie)=\(session)") == session)
        #expect(CSRFGuard.session(cookieHeader: "a=b;  \(CSRFGuard.cookie)=\(session) ; c=d") == session)
        #expect(CSRFGuard.session(cookieHeader: "\(CSRFGuard.cookie)=xyz") == nil)
        #expect(CSRFGuard.session(cookieHeader: "\(CSRFGuard.cookie)=\(session.uppercased())") == nil)
        #expect(CSRFGuard.session(cookieHeader: nil) == nil)
        #expect(CSRFGuard.newSession() != CSRFGuard.newSession())
    }
}
