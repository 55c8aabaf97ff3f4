import Foundation
import HookpipeSync
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL for tests: `scripts/pg-scratch.sh` initdb's a
/// cluster into a temporary directory and starts it on 127.0.0.1 at a free
/// port (fsync on). ``shared`` is one cluster for the whole test process
/// (stopped at exit), on which each test takes a database of its own;
/// tests that stop or restart the server start their own.
public final class PostgresScratch: @unchecked Sendable {
    /// The cluster's directory (data, socket, server.log, url).
    public let directory: String
    /// `postgresql://hookpipe:…@127.0.0.1:PORT/hookpipe?sslmode=disable`.
    public private(set) var url: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The package's root, found from this file's location.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let script = packageRoot + "/scripts/pg-scratch.sh"

    /// Starts a new cluster.
    public init() throws {
        directory = NSTemporaryDirectory() + "hookpipe-pg-" + UUID().uuidString.prefix(8).lowercased()
        url = ""
        url = try Self.run(["start", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit { stop(removing: true) }

    /// Stops the server (fast), and with `removing` deletes its directory.
    public func stop(removing: Bool = false) {
        _ = try? Self.run(["stop", directory])
        if removing { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Stops the server in immediate mode, like a crash.
    public func stopNow() throws { _ = try Self.run(["stop-now", directory]) }

    /// Starts a stopped cluster again on the same port.
    public func startAgain() throws {
        url = try Self.run(["start-again", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL as the superuser, in `database`; returns psql's unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String = "hookpipe") throws -> String {
        try Self.run(["psql", directory, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new, empty database owned by the `hookpipe` role; returns its URL.
    public func makeDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try psql("CREATE DATABASE \(name) OWNER hookpipe")
        return url.replacingOccurrences(of: "/hookpipe?", with: "/\(name)?")
    }

    /// The database name in a URL made by ``makeDatabase()``.
    public static func databaseName(_ url: String) -> String {
        let path = url.split(separator: "/").last.map(String.init) ?? ""
        return String(path.prefix { $0 != "?" })
    }

    /// One cluster for the whole test process, started on first use, stopped at exit.
    public static var shared: PostgresScratch {
        get throws {
            try sharedCluster.withLock { cluster in
                if let cluster { return cluster }
                let started = try PostgresScratch()
                cluster = started
                atexit { PostgresScratch.stopShared() }
                return started
            }
        }
    }

    private static let sharedCluster = Locked<PostgresScratch?>(nil)

    private static func stopShared() {
        sharedCluster.withLock { cluster in
            cluster?.stop(removing: true)
            cluster = nil
        }
    }

    /// Runs the script with its output in files, not pipes (the server it
    /// starts inherits the script's descriptors and would keep a pipe open),
    /// through posix_spawn and waitpid: Foundation's Process, in a test
    /// process whose other threads (NIO's among them) block signals, was
    /// seen never to notice the script's exit (a zombie, and a hung test).
    static func run(_ arguments: [String], timeout: TimeInterval = 90) throws -> String {
        let base = NSTemporaryDirectory() + "pg-scratch-" + UUID().uuidString
        let (outPath, errPath) = (base + ".out", base + ".err")
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ["/bin/bash", script] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run pg-scratch.sh: errno \(spawned)") }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw Failure(description: "waitpid: errno \(errno)") }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "pg-scratch.sh \(arguments.prefix(2).joined(separator: " ")) did not finish within \(Int(timeout)) s")
            }
            usleep(20_000)
        }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw Failure(description: "pg-scratch.sh \(arguments.prefix(2).joined(separator: " ")) failed (status \(status)): \(errors)")
        }
        return output
    }
}
