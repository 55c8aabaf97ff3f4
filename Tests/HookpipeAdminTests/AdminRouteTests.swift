@testable import HookpipeAdmin
import Testing

@Suite("AdminRoute")
struct AdminRouteTests {
    @Test("GET on the three paths serves them; a query string is ignored")
    func routes() {
        #expect(AdminRoute.decide(method: "GET", uri: "/healthz") == .serve(.health))
        #expect(AdminRoute.decide(method: "GET", uri: "/readyz") == .serve(.ready))
        #expect(AdminRoute.decide(method: "GET", uri: "/metrics") == .serve(.metrics))
        #expect(AdminRoute.decide(method: "GET", uri: "/metrics?name[]=x") == .serve(.metrics))
    }

    @Test("unknown paths are 404 whatever the method; other methods on known paths 405 with Allow: GET")
    func refusals() {
        for uri in ["/", "/metrics/", "/healthz/x", "/hooks/stripe", "metrics", "", "/METRICS"] {
            #expect(AdminRoute.decide(method: "GET", uri: uri) == .refuse(.notFound), "\(uri)")
        }
        #expect(AdminRoute.decide(method: "POST", uri: "/nope") == .refuse(.notFound))
        for method in ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"] {
            let decision = AdminRoute.decide(method: method, uri: "/metrics")
            #expect(decision == .refuse(.methodNotAllowed))
        }
        #expect(AdminResponse.methodNotAllowed.status == 405 && AdminResponse.methodNotAllowed.allow == "GET")
    }

    @Test("readiness answers 200 or 503 with the reasons as JSON")
    func readinessBody() {
        let ready = AdminResponse.readiness(Readiness(reasons: []))
        #expect(ready.status == 200)
        #expect(String(decoding: ready.body, as: UTF8.self) == #"{"ready":true,"reasons":[]}"# + "\n")
        let notReady = AdminResponse.readiness(Readiness(reasons: [#"stage "q": failed"#]))
        #expect(notReady.status == 503)
        #expect(String(decoding: notReady.body, as: UTF8.self) == #"{"ready":false,"reasons":["stage \"q\": failed"]}"# + "\n")
    }
}
