/// A request for the console, as the admin listener read it.
public struct ConsoleRequest: Sendable {
    public var method: String
    /// The request target: path and query.
    public var uri: String
    /// Header fields, names lowercased.
    public var headers: [(name: String, value: String)]
    /// The body (a form for the actions), at most the listener's limit.
    public var body: [UInt8]
    /// The peer's address, for the action log.
    public var peer: String?

    public init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8], peer: String?) {
        self.method = method
        self.uri = uri
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
        self.peer = peer
    }

    /// The first value of header `name` (lowercase).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    var path: Substring {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    var query: Substring {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? parts[1] : ""
    }
}

/// What the console answers.
public struct ConsoleResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Extra header fields (`set-cookie`, `location`, `www-authenticate`, security headers).
    public var headers: [Header]

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    init(status: Int, contentType: String, body: [UInt8], headers: [Header] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    static let htmlType = "text/html; charset=utf-8"

    /// A page: HTML with the console's security headers.
    static func page(_ status: Int = 200, _ html: String) -> Self {
        Self(status: status, contentType: htmlType, body: Array(html.utf8), headers: securityHeaders)
    }

    static func text(_ status: Int, _ text: String, headers: [Header] = []) -> Self {
        Self(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8), headers: headers + securityHeaders)
    }

    /// 303 to `location` (after an action; the browser then GETs it).
    static func seeOther(_ location: String) -> Self {
        Self(status: 303, contentType: "text/plain; charset=utf-8", body: Array("see \(location)\n".utf8),
             headers: [Header(name: "location", value: location)] + securityHeaders)
    }

    /// No inline script or style, nothing from another origin, no framing,
    /// forms post only here: an escaped payload that slipped through could
    /// still not run. The referrer policy is `same-origin`, not `no-referrer`:
    /// under `no-referrer` a browser sends `Origin: null` with the console's
    /// own form posts, which ``ConsoleGate`` must refuse (headless Chromium
    /// showed it).
    static let securityHeaders = [
        Header(name: "content-security-policy", value: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
               + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        Header(name: "x-content-type-options", value: "nosniff"),
        Header(name: "referrer-policy", value: "same-origin"),
        Header(name: "x-frame-options", value: "DENY"),
    ]
}
