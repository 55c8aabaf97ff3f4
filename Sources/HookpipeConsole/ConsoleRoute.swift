/// The console's pages and actions, and how a request maps to one. No I/O.
enum ConsoleRoute: Sendable, Equatable {
    case overview
    case events
    case event(seq: Int64)
    case deadLetters
    case tail
    /// Server-Sent Events: each stored event as it is numbered.
    case tailStream
    case asset(ConsoleAsset)
    case replay(seq: Int64)
    case retry(letter: Int64)
    case drop(letter: Int64)

    enum Decision: Sendable, Equatable {
        case serve(ConsoleRoute)
        /// `/console` without the slash.
        case redirect(String)
        case notFound
        case methodNotAllowed(allow: String)
    }

    /// Whether the route changes something (POST, CSRF-checked, logged, can be turned off).
    var isAction: Bool {
        switch self {
        case .replay, .retry, .drop: true
        default: false
        }
    }

    static let prefix = "/console"

    /// Whether the admin listener should hand `path` to the console.
    static func owns(_ path: Substring) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    static func decide(method: String, path: Substring) -> Decision {
        guard owns(path) else { return .notFound }
        if path == prefix { return .redirect(prefix + "/") }
        let parts = path.dropFirst(prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        let read: ConsoleRoute?
        let action: ConsoleRoute?
        switch parts.count {
        case 1 where parts[0].isEmpty: (read, action) = (.overview, nil)
        case 1 where parts[0] == "events": (read, action) = (.events, nil)
        case 1 where parts[0] == "dead-letters": (read, action) = (.deadLetters, nil)
        case 1 where parts[0] == "tail": (read, action) = (.tail, nil)
        case 2 where parts[0] == "tail" && parts[1] == "stream": (read, action) = (.tailStream, nil)
        case 2 where parts[0] == "static":
            guard let asset = ConsoleAsset(rawValue: String(parts[1])) else { return .notFound }
            (read, action) = (.asset(asset), nil)
        case 2 where parts[0] == "events":
            guard let seq = number(parts[1]) else { return .notFound }
            (read, action) = (.event(seq: seq), nil)
        case 3 where parts[0] == "events" && parts[2] == "replay":
            guard let seq = number(parts[1]) else { return .notFound }
            (read, action) = (nil, .replay(seq: seq))
        case 3 where parts[0] == "dead-letters" && (parts[2] == "retry" || parts[2] == "drop"):
            guard let id = number(parts[1]) else { return .notFound }
            (read, action) = (nil, parts[2] == "retry" ? .retry(letter: id) : .drop(letter: id))
        default:
            return .notFound
        }
        if let read {
            return method == "GET" || method == "HEAD" ? .serve(read) : .methodNotAllowed(allow: "GET, HEAD")
        }
        return method == "POST" ? .serve(action!) : .methodNotAllowed(allow: "POST")
    }

    /// A positive decimal number without sign or leading zeros, at most 18 digits.
    private static func number(_ text: Substring) -> Int64? {
        guard (1...18).contains(text.count), text.first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }
}

/// The console's two static files, compiled into the binary.
enum ConsoleAsset: String, Sendable, CaseIterable {
    case script = "console.js"
    case style = "console.css"

    var contentType: String {
        switch self {
        case .script: "text/javascript; charset=utf-8"
        case .style: "text/css; charset=utf-8"
        }
    }
}
