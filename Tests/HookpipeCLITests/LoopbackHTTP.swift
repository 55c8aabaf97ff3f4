import Foundation

/// A plain HTTP/1.1 exchange with 127.0.0.1 over a POSIX socket: sends the
/// exact bytes given (so oversize or odd requests can be sent) and reads the
/// response until the server closes (requests say `Connection: close`).
enum LoopbackHTTP {
    struct Response {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func get(port: Int, _ path: String, extraHeaders: String = "") throws -> Response {
        try exchange(port: port, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(extraHeaders)Connection: close\r\n\r\n".utf8))
    }

    static func post(port: Int, _ path: String, headers: [(String, String)], body: String) throws -> Response {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return try exchange(port: port, Array((head + "\r\n" + body).utf8))
    }

    /// A socket connected to 127.0.0.1:`port`; `connectTimeout` (whole
    /// seconds) bounds `connect` when the server's backlog is full.
    static func connected(port: Int, connectTimeout: Int? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        if let connectTimeout {
            var timeout = timeval(tv_sec: connectTimeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = Failure(description: "connect to port \(port): errno \(errno)")
            close(fd)
            throw error
        }
        return fd
    }

    /// Sends `request`, reads to end of stream (at most 10 s without data).
    static func exchange(port: Int, _ request: [UInt8]) throws -> Response {
        let fd = try connected(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }  // the server may refuse early and close: read what it said
            offset += sent
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return try parse(received)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        guard let headEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw Failure(description: "no complete response in \(bytes.count) bytes")
        }
        var lines = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(decoding: bytes[headEnd.upperBound...], as: UTF8.self))
    }
}
