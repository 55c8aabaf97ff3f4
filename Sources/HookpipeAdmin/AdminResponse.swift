import HookpipeConsole
import HookpipeJSON

/// What the admin listener answers: a status, a content type and a small body.
struct AdminResponse: Sendable, Equatable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    /// The `Allow` header of a 405.
    var allow: String?
    /// Further header fields (the console's cookies, redirects and security headers).
    var headers: [ConsoleResponse.Header] = []

    /// A console answer.
    init(_ console: ConsoleResponse) {
        self.init(status: console.status, contentType: console.contentType, body: console.body, allow: nil, headers: console.headers)
    }

    init(status: Int, contentType: String, body: [UInt8], allow: String? = nil, headers: [ConsoleResponse.Header] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.allow = allow
        self.headers = headers
    }

    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    static func text(_ status: Int, _ text: String, allow: String? = nil) -> Self {
        Self(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8), allow: allow)
    }

    static let healthy = text(200, "ok")
    static let notFound = text(404, "not found: the admin listener serves /healthz, /readyz, /metrics and (when enabled) /console/")
    static let methodNotAllowed = text(405, "method not allowed: use GET", allow: "GET")
    static let bodyTooLarge = text(413, "request body too large")
    static let headersTooLarge = text(431, "request headers too large")

    /// 200 or 503 with `{"ready":…,"reasons":[…]}`.
    static func readiness(_ readiness: Readiness) -> Self {
        let object = JSONObjectBuilder()
        object.set("ready", readiness.isReady)
        object.set("reasons", readiness.reasons)
        var body = object.serialized()
        body.append(0x0A)
        return Self(status: readiness.isReady ? 200 : 503, contentType: "application/json", body: body)
    }

    static func metrics(_ exposition: [UInt8]) -> Self {
        Self(status: 200, contentType: prometheusContentType, body: exposition)
    }
}
