import Foundation
import NIOCore

/// A listener that could not be opened, said so an operator can act on it:
/// which one (`public` or `admin`), where, and why, e.g.
/// `cannot open the public listener on 127.0.0.1:8080: address already in use (errno 98); another process holds the port …`.
///
/// SwiftNIO's own text for a failed `bind` names neither the listener nor
/// the address (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`),
/// so the daemon wraps it where the listeners are opened.
public struct ListenerError: Error, Sendable, CustomStringConvertible {
    /// `public` or `admin`.
    public var listener: String
    /// `host:port` (`[v6]:port`), or the socket systemd passed.
    public var address: String
    /// Why, in words; ends with the errno when there is one.
    public var reason: String

    /// Describes `error`, thrown while `listener` was bound to `host:port` (or adopted `inheritedSocket`).
    public init(listener: String, host: String, port: Int, inheritedSocket: Int32?, error: any Error) {
        self.listener = listener
        if let inheritedSocket {
            address = "the socket passed by systemd (descriptor \(inheritedSocket))"
        } else {
            address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
        reason = Self.reason(error, listener: listener)
    }

    public var description: String {
        "cannot open the \(listener) listener on \(address): \(reason)"
    }

    /// `address already in use (errno 98)` and a hint for the common causes;
    /// other errors as they describe themselves.
    static func reason(_ error: any Error, listener: String) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        let code = io.errnoCode
        let text = String(cString: strerror(code)).lowercased()
        let key = listener == "admin" ? "[admin] port" : "[server] port"
        switch code {
        case EADDRINUSE:
            return "\(text) (errno \(code)); another process holds the port (another hookpipe?): stop it or change \(key)"
        case EACCES:
            return "\(text) (errno \(code)); ports below 1024 need privileges (CAP_NET_BIND_SERVICE): choose another \(key)"
        case EADDRNOTAVAIL:
            return "\(text) (errno \(code)); the host is not an address of this machine"
        default:
            return "\(text) (errno \(code))"
        }
    }

    /// Runs `bind`, turning what it throws into a ``ListenerError``.
    static func opening(_ listener: String, host: String, port: Int, inheritedSocket: Int32?,
                        _ bind: () async throws -> Void) async throws {
        do {
            try await bind()
        } catch {
            throw ListenerError(listener: listener, host: host, port: port, inheritedSocket: inheritedSocket, error: error)
        }
    }
}
