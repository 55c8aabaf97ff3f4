public import HookpipeVerification
import Foundation

/// One complete HTTP request as the receiver's decision logic sees it.
public struct ReceivedRequest: Sendable {
    public var method: String
    /// The request target as sent: path and optional query.
    public var uri: String
    public var headers: HeaderFields
    public var body: [UInt8]
    /// The peer's IP address as text, if known.
    public var remoteAddress: String?
    /// Microseconds since the Unix epoch when the request head arrived.
    public var receivedAtMicros: Int64

    public init(method: String, uri: String, headers: HeaderFields, body: [UInt8], remoteAddress: String?, receivedAtMicros: Int64) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.receivedAtMicros = receivedAtMicros
    }

    /// The path part of ``uri``.
    var path: Substring {
        uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
    }

    /// The query parameters of ``uri``, percent-decoded (`+` is a space), in order.
    var query: [(name: String, value: String)] {
        guard let mark = uri.firstIndex(of: "?") else { return [] }
        return uri[uri.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (name: Self.decode(parts[0]), value: parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    private static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
