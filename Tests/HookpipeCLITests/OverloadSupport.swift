import Foundation

/// Pieces the overload tests share: idle connections held open, a signed
/// request timed on a fresh connection, a process's CPU time.
enum Overload {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens up to `count` TCP connections to 127.0.0.1:`port` that never send
    /// a byte; stops at `deadline` or after 20 failed connects in a row. Returns
    /// the descriptors, to be closed with ``closeAll(_:)``.
    static func idleConnections(port: Int, count: Int, within deadline: TimeInterval = 30) -> [Int32] {
        let end = Date().addingTimeInterval(deadline)
        var sockets: [Int32] = []
        sockets.reserveCapacity(count)
        var failuresInARow = 0
        while sockets.count < count && Date() < end && failuresInARow < 20 {
            // Each connect waits at most 1 s (a full backlog drops the SYN).
            guard let fd = try? LoopbackHTTP.connected(port: port, connectTimeout: 1) else {
                failuresInARow += 1
                continue
            }
            failuresInARow = 0
            sockets.append(fd)
        }
        return sockets
    }

    static func closeAll(_ sockets: [Int32]) {
        for fd in sockets { close(fd) }
    }

    /// How many of `sockets` the server has closed (a read returns EOF or an error without waiting).
    static func closedByServer(_ sockets: [Int32]) -> Int {
        var byte: UInt8 = 0
        return sockets.count { fd in
            let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    /// A Stripe-signed request for `body`: the `Stripe-Signature` header that
    /// `hookpipe sign` prints for the workspace's source.
    static func stripeSignature(config: String, body: String) throws -> String {
        let printed = try HookpipeBinary.run(["sign", "--config", config, "--source", "stripe", "--data", body])
        guard let line = printed.stdout.split(separator: "\n").first(where: { $0.contains("Stripe-Signature: ") }),
              let start = line.range(of: "Stripe-Signature: ")?.upperBound else {
            throw Failure(description: "hookpipe sign printed no Stripe-Signature: \(printed.stdout) \(printed.stderr)")
        }
        // The line is `  -H 'Stripe-Signature: t=…,v1=…' \`.
        return String(line[start...]).trimmingCharacters(in: CharacterSet(charactersIn: "' \\"))
    }

    /// Posts a signed body on a fresh connection; the status (nil: no HTTP
    /// answer) and how long the answer took.
    static func timedPost(port: Int, config: String, body: String) throws -> (status: Int?, seconds: TimeInterval) {
        let signature = try stripeSignature(config: config, body: body)
        let start = Date()
        let response = try? LoopbackHTTP.post(port: port, "/hooks/stripe", headers: [("Stripe-Signature", signature)], body: body)
        return (response?.status, Date().timeIntervalSince(start))
    }

    /// User plus system CPU time of `pid` so far, in seconds (`/proc/PID/stat`).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The share of one core `pid` used over `seconds`.
    static func cpuShare(pid: Int32, over seconds: TimeInterval) -> Double? {
        guard let before = cpuSeconds(pid: pid) else { return nil }
        Thread.sleep(forTimeInterval: seconds)
        guard let after = cpuSeconds(pid: pid) else { return nil }
        return (after - before) / seconds
    }

    /// `updated_at` of the workspace's `status.json`, as written.
    static func statusUpdatedAt(_ directory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: directory + "/state/status.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["updated_at_micros"].map { "\($0)" }
    }

    /// Lines of `log` containing `marker`.
    static func lines(_ log: String, containing marker: String) -> Int {
        log.split(separator: "\n").count { $0.contains(marker) }
    }
}
