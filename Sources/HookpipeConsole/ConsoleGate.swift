/// Whether a console request may proceed, and as whom. No I/O.
///
/// In order: the `Host` must be a loopback name when no credentials are
/// configured (a page on another site that rebinds its DNS name to
/// 127.0.0.1 gets nothing); credentials, when configured, must match; an
/// action must be enabled, come from this origin and carry the CSRF token of
/// the browser's session.
struct ConsoleGate: Sendable {
    let credentials: ConsoleCredentials?
    let actionsEnabled: Bool
    let csrf: CSRFGuard

    enum Decision: Equatable {
        /// Go on; `actor` names who, for the action log.
        case proceed(actor: String)
        case refuse(ConsoleResponse)
    }

    static let realm = #"Basic realm="hookpipe console", charset="UTF-8""#

    func decide(_ request: ConsoleRequest, route: ConsoleRoute, form: [String: String]) -> Decision {
        let actor: String
        if let credentials {
            guard let who = credentials.verify(authorization: request.header("authorization")) else {
                return .refuse(.text(401, "the console needs its credentials ([admin] console_auth)",
                                     headers: [.init(name: "www-authenticate", value: Self.realm)]))
            }
            actor = who
        } else {
            guard let host = request.header("host"), Self.isLoopbackHost(host) else {
                return .refuse(.text(421, "the console answers only requests addressed to a loopback host (localhost, 127.0.0.1, [::1])"))
            }
            actor = "peer \(request.peer ?? "unknown")"
        }
        guard route.isAction else { return .proceed(actor: actor) }
        guard actionsEnabled else {
            return .refuse(.text(403, "console actions are turned off ([admin] console_actions = false)"))
        }
        if let site = request.header("sec-fetch-site"), site != "same-origin", site != "none" {
            return .refuse(.text(403, "refused: a cross-site request (Sec-Fetch-Site: \(site.prefix(20)))"))
        }
        if let origin = request.header("origin"), let host = request.header("host"),
           origin != "http://\(host)", origin != "https://\(host)" {
            return .refuse(.text(403, "refused: the request came from another origin"))
        }
        guard csrf.isValid(token: form["csrf"], session: CSRFGuard.session(cookieHeader: request.header("cookie"))) else {
            return .refuse(.text(403, "refused: the form's token is missing or stale; reload the page and try again"))
        }
        return .proceed(actor: actor)
    }

    /// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
    static func isLoopbackHost(_ host: String) -> Bool {
        let lowered = host.lowercased()
        let name: Substring
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return false }
            name = lowered[lowered.index(after: lowered.startIndex)..<close]
            let rest = lowered[lowered.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            return name == "::1"
        }
        let parts = lowered.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 1 || parts[1].allSatisfy(\.isNumber) else { return false }
        name = parts[0]
        if name == "localhost" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }
}

/// `application/x-www-form-urlencoded` and query strings. No I/O.
enum FormFields {
    /// The fields of `text` (first value of each name wins); at most 32 fields,
    /// each at most 512 bytes. `nil` when malformed.
    static func parse(_ text: Substring) -> [String: String]? {
        var fields: [String: String] = [:]
        for (index, pair) in text.split(separator: "&").enumerated() {
            guard index < 32 else { return nil }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count == 2 ? parts[1] : ""), value.utf8.count <= 512 else {
                return nil
            }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `text` percent-encoded for a query value (unreserved characters kept).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
