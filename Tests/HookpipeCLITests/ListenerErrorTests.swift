import Foundation
import Glibc
import Testing

/// A port that is already taken stops `hookpipe run` with a line that names
/// the listener and its address (issue 26, first hour, item 1).
@Suite("hookpipe binary: a listener's port in use", .serialized)
struct ListenerErrorTests {
    /// A socket listening on a free loopback port, closed by ``close()``.
    struct HeldPort {
        let fd: Int32
        let port: Int

        init() throws {
            let port = try freePort()
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 1) == 0 else {
                Glibc.close(fd)
                throw POSIXError(.EADDRINUSE)
            }
            self.fd = fd
            self.port = port
        }

        func close() { Glibc.close(fd) }
    }

    /// Runs the daemon on a workspace whose config `edit` changed to use
    /// `held`'s port; returns the exit status and the `cannot run` line.
    static func failedRun(_ edit: (_ config: String, _ workspace: DaemonEndToEndTests.Workspace, _ port: Int) -> String)
        throws -> (status: Int32, line: String, port: Int) {
        let workspace = try DaemonEndToEndTests.Workspace()
        defer { workspace.remove() }
        let held = try HeldPort()
        defer { held.close() }
        let text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try edit(text, workspace, held.port).write(toFile: workspace.config, atomically: false, encoding: .utf8)
        let run = try HookpipeBinary.run(["run", "--config", workspace.config], timeout: 30)
        let line = run.stderr.split(separator: "\n").first { $0.contains("cannot run") }.map(String.init) ?? run.stderr
        return (run.status, line, held.port)
    }

    @Test("the public port in use: exit 1, the line names the public listener and its address, without NIO's stray parenthesis")
    func publicPortInUse() throws {
        let (status, line, port) = try Self.failedRun { text, workspace, port in
            text.replacingOccurrences(of: "port = \(workspace.port)\n", with: "port = \(port)\n")
        }
        #expect(status == 1)
        #expect(line.contains("cannot open the public listener on 127.0.0.1:\(port): address already in use (errno 98)"), "\(line)")
        #expect(line.contains("[server] port"), "\(line)")
        #expect(!line.contains(")) (") && !line.contains("in use)"), "\(line)")
    }

    @Test("the admin port in use: exit 1, the line names the admin listener and its address")
    func adminPortInUse() throws {
        let (status, line, port) = try Self.failedRun { text, _, port in
            text + "\n[admin]\nenabled = true\nhost = \"127.0.0.1\"\nport = \(port)\n"
        }
        #expect(status == 1)
        #expect(line.contains("cannot open the admin listener on 127.0.0.1:\(port): address already in use"), "\(line)")
        #expect(line.contains("[admin] port"), "\(line)")
    }
}
