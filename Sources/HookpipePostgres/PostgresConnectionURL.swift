import Foundation

/// Where and how to connect, parsed from `[store] url` (a secret reference,
/// since it usually holds the password).
///
/// Accepted form, as libpq writes it:
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&host=/socket/dir]`
/// (`postgres://` too). `sslmode` is `disable`, `require` (encrypted, server
/// certificate not checked) or `verify-full` (checked against the system's
/// trust store and the host name); the default is `verify-full` unless the
/// host is loopback or a Unix socket, where it is `disable`. A `host` query
/// parameter names a Unix socket directory, as with libpq.
///
/// No error message ever contains the password, nor the URL itself.
public struct PostgresConnectionURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file, `DIR/.s.PGSQL.PORT`.
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Without the password: `postgresql://hookpipe@127.0.0.1:5432/hookpipe (sslmode disable)`.
    public var description: String {
        let place = switch endpoint {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): "unix:\(path)"
        }
        return "postgresql://\(user)@\(place)/\(database) (sslmode \(tls.rawValue))"
    }

    /// A problem with the URL, described without any part of it that could be secret.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws(Problem) {
        let expected = "expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable|require|verify-full"
        guard let scheme = ["postgresql://", "postgres://"].first(where: { text.hasPrefix($0) }) else {
            throw Problem(description: "the store URL does not start with postgresql:// (\(expected))")
        }
        guard let components = URLComponents(string: text), components.scheme != nil else {
            throw Problem(description: "the store URL is not a valid URL (\(expected); percent-encode special characters in the password)")
        }
        _ = scheme
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw Problem(description: "the store URL names no user (\(expected))")
        }
        self.user = user
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else {
            throw Problem(description: "the store URL names no database after the host (\(expected))")
        }
        database = path
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { continue }
            switch item.name {
            case "sslmode", "host", "port": query[item.name] = value
            case "application_name", "connect_timeout": continue   // libpq options we set ourselves
            default: throw Problem(description: "the store URL has an unknown parameter \"\(item.name)\" (known: sslmode, host, port)")
            }
        }
        let port: Int
        if let written = components.port ?? query["port"].flatMap(Int.init) {
            guard (1...65535).contains(written) else { throw Problem(description: "the store URL's port \(written) is not in 1–65535") }
            port = written
        } else if query["port"] != nil {
            throw Problem(description: "the store URL's port parameter is not a number")
        } else {
            port = 5432
        }
        let local: Bool
        if let directory = query["host"], directory.hasPrefix("/") {
            endpoint = .unixSocket(path: directory + "/.s.PGSQL.\(port)")
            local = true
        } else {
            guard let host = (query["host"] ?? components.host).flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw Problem(description: "the store URL names no host (\(expected), or ?host=/socket/dir)")
            }
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            endpoint = .tcp(host: bare, port: port)
            local = ["127.0.0.1", "::1", "localhost"].contains(bare)
        }
        if let mode = query["sslmode"] {
            switch mode {
            case "disable": tls = .disable
            case "require": tls = .require
            case "verify-full": tls = .verifyFull
            case "prefer", "allow", "verify-ca":
                throw Problem(description: "the store URL's sslmode \"\(mode)\" is not supported: use disable, require or verify-full")
            default:
                throw Problem(description: "the store URL's sslmode \"\(mode)\" is unknown: use disable, require or verify-full")
            }
        } else {
            tls = local ? .disable : .verifyFull
        }
    }
}
