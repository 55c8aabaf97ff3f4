import Foundation
import Glibc

/// A deliberately plain HTTP/1.1 client over a POSIX socket, for tests that
/// need to send exact bytes (bad framing, trickled headers) to 127.0.0.1.
/// Every call runs on its own thread, so many can be in flight at once
/// without blocking the test's cooperative threads.
struct RawHTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The body's top-level string or number field `name` (a tiny extractor; tests only).
    func field(_ name: String) -> String? {
        guard let data = body.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let value = object[name] else { return nil }
        return "\(value)"
    }
}

struct RawHTTPError: Error, CustomStringConvertible {
    var description: String
}

enum RawHTTPClient {
    /// Sends `request` bytes to 127.0.0.1:`port` and reads one response.
    /// `chunks` with `pause` trickle the bytes. Gives up after `timeout`.
    static func exchange(port: Int, request: [UInt8], chunks: Int = 1, pause: Duration = .zero,
                         timeout: Duration = .seconds(10)) async throws -> RawHTTPResponse {
        try await onThread { try blockingExchange(port: port, request: request, chunks: chunks, pause: pause, timeout: timeout) }
    }

    /// Runs blocking socket work on a thread of its own and awaits its result.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// A POST with JSON content type and the given extra headers.
    static func post(port: Int, path: String, headers: [(String, String)], body: [UInt8], extra: String = "") async throws -> RawHTTPResponse {
        // JSON unless the caller gives its own Content-Type.
        let contentType = headers.contains { $0.0.lowercased() == "content-type" } ? "" : "Content-Type: application/json\r\n"
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(contentType)Content-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += extra + "\r\n"
        return try await exchange(port: port, request: Array(head.utf8) + body)
    }

    static func blockingExchange(port: Int, request: [UInt8], chunks: Int, pause: Duration, timeout: Duration) throws -> RawHTTPResponse {
        let connection = try RawSocket(port: port)
        connection.setReceiveTimeout(timeout)
        connection.send(request, chunks: chunks, pause: pause)
        return try connection.readResponse(timeout: timeout)
    }

    /// Parses one response (skipping any `100 Continue`), or nil if incomplete.
    static func parse(_ bytes: [UInt8], atEOF: Bool = false) -> RawHTTPResponse? {
        var bytes = bytes[...]
        while true {
            guard let headEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
            let head = String(decoding: bytes[bytes.startIndex..<headEnd.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let bodyStart = headEnd.upperBound
            if status == 100 {
                bytes = bytes[bodyStart...]
                continue
            }
            let length = Int(headers["content-length"] ?? "") ?? (atEOF ? bytes.endIndex - bodyStart : 0)
            guard bytes.endIndex - bodyStart >= length else { return nil }
            let body = String(decoding: bytes[bodyStart..<(bodyStart + length)], as: UTF8.self)
            return RawHTTPResponse(status: status, headers: headers, body: body)
        }
    }
}

/// A bare TCP connection to 127.0.0.1, closed once (explicitly or when released).
final class RawSocket {
    private(set) var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = RawHTTPError(description: "connect: errno \(errno)")
            close()
            throw error
        }
    }

    /// Reads give up after `timeout` (whole seconds, at least one).
    func setReceiveTimeout(_ timeout: Duration) {
        var tv = timeval(tv_sec: max(1, Int(timeout.components.seconds)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Whether the server closes the connection (read returns 0 or an error) within `timeout`.
    func readsEOF(within timeout: Duration) -> Bool {
        setReceiveTimeout(timeout)
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Sends `bytes`, trickled in `chunks` with `pause` between them. Stops
    /// early if the server closed (413, 408): the caller reads what it said.
    func send(_ bytes: [UInt8], chunks: Int = 1, pause: Duration = .zero) {
        let chunkSize = max(1, (bytes.count + chunks - 1) / chunks)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            let sent = bytes[offset..<end].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
            if offset < bytes.count && pause > .zero {
                Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
            }
        }
    }

    /// Reads one response; the receive timeout set before applies.
    func readResponse(timeout: Duration) throws -> RawHTTPResponse {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let response = RawHTTPClient.parse(received) { return response }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw RawHTTPError(description: "no complete response within \(timeout) (\(received.count) bytes received)")
            }
            if count <= 0 {
                if let response = RawHTTPClient.parse(received, atEOF: true) { return response }
                throw RawHTTPError(description: "connection closed after \(received.count) bytes without a complete response")
            }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    /// Reads until the server closes; the receive timeout set before applies.
    func readToEOF() throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 { throw RawHTTPError(description: "no EOF before the receive timeout (\(received.count) bytes received)") }
            if count == 0 { return received }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    /// Idempotent: a second close would hit whatever reused the number.
    func close() {
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        fd = -1
    }

    deinit {
        close()
    }
}
