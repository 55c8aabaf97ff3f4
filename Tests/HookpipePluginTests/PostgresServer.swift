import Foundation

/// A throwaway PostgreSQL cluster in a temporary directory, listening on a free
/// loopback port with `trust` authentication; `stop()` shuts it down and
/// removes it. PostgreSQL refuses to run as root, so when the tests run as
/// root its commands run as the `postgres` user (`runuser -u postgres --`).
final class PostgresServer {
    let directory: TemporaryDirectory
    let port: Int
    private let asPostgres: [String]

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// libpq variables that reach this server.
    var environment: [String: String] {
        ["PGHOST": "127.0.0.1", "PGPORT": String(port), "PGUSER": "postgres", "PGDATABASE": "postgres"]
    }

    init() throws {
        guard let initdb = Self.find("initdb"), let pgCtl = Self.find("pg_ctl") else {
            throw Failed(description: "initdb/pg_ctl not found: install PostgreSQL (scripts/install-deps.sh)")
        }
        directory = try TemporaryDirectory()
        asPostgres = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 {
            let chown = try PluginProcess.run(["chown", "postgres:", directory.path], input: "")
            guard chown.status == 0 else {
                directory.remove()
                throw Failed(description: "cannot give \(directory.path) to the postgres user: \(chown.stderr)")
            }
        }
        let findPort = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
        port = Int(try PluginProcess.run(["python3", "-c", findPort], input: "").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let data = directory.path + "/data"
        let steps: [[String]] = [
            [initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"],
            [pgCtl, "-D", data, "-l", directory.path + "/server.log", "-w", "-t", "15",
             "-o", "-h 127.0.0.1 -p \(port) -k \(directory.path) -F", "start"],
        ]
        for step in steps {
            // Foundation's Process learns that a child exited when a socket the
            // child inherited closes; the server daemon would keep it open, so
            // pg_ctl runs under a wrapper that closes every other descriptor.
            let closingDescriptors = ["python3", "-c",
                                      "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True))"]
            let result = try PluginProcess.run(closingDescriptors + asPostgres + step, input: "", timeout: 30)
            guard result.status == 0 else {
                let log = (try? String(contentsOfFile: directory.path + "/server.log", encoding: .utf8)) ?? ""
                stop()
                throw Failed(description: "PostgreSQL did not start (\(step[0]) exited \(result.status)): \(result.stderr)\(result.stdout)\(log)")
            }
        }
    }

    /// Runs one SQL statement with psql; unaligned, tuples only.
    func query(_ sql: String) throws -> String {
        let result = try PluginProcess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                           environment: environment, input: "")
        guard result.status == 0 else { throw Failed(description: "psql: \(result.stderr)") }
        return result.stdout
    }

    func stop() {
        if let pgCtl = Self.find("pg_ctl") {
            _ = try? PluginProcess.run(asPostgres + [pgCtl, "-D", directory.path + "/data", "-m", "immediate", "-w", "stop"],
                                       input: "", timeout: 15)
        }
        directory.remove()
    }

    /// A PostgreSQL program in `PATH`, else in Debian's `/usr/lib/postgresql/<version>/bin`.
    static func find(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        return (path + versions).map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
