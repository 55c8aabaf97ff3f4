import Glibc
import Testing

/// The unit files in `contrib/systemd/` pass `systemd-analyze verify`.
@Suite(.timeLimit(.minutes(1)))
struct UnitFileTests {
    static let units = ["hookpipe.service", "hookpipe.socket", "hookpipe-admin.socket"]
    static let analyzer = "/usr/bin/systemd-analyze"

    @Test func verifyFindsNothingToComplainAbout() throws {
        guard access(Self.analyzer, X_OK) == 0 else {
            Issue.record("\(Self.analyzer) is missing: run scripts/install-deps.sh (it installs the systemd package)")
            return
        }
        let source = repositoryRoot() + "/contrib/systemd/"
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for unit in Self.units {
            // verify checks that the ExecStart= binary exists; hookpipe is not installed here.
            let lines = try readFile(source + unit).split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix("ExecStart=/usr/bin/hookpipe ") ? "ExecStart=/bin/true " + line.dropFirst(28) : line
            }
            try writeFile(directory.path + "/" + unit, lines.joined(separator: "\n"))
        }
        let service = try readFile(directory.path + "/hookpipe.service")
        #expect(service.contains("ExecStart=/bin/true run --config /etc/hookpipe/pipeline.conf"))

        let result = try run(
            [Self.analyzer, "verify", "--man=no"] + Self.units.map { directory.path + "/" + $0 },
            outputFile: directory.path + "/verify.out"
        )
        // verify exits 0 even for unknown keys and only prints a warning, so any output fails.
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.isEmpty, "\(result.output)")
    }

    @Test func namesTheListenersAsTheDaemonExpects() throws {
        let source = repositoryRoot() + "/contrib/systemd/"
        #expect(try readFile(source + "hookpipe.socket").contains("\nFileDescriptorName=http\n"))
        #expect(try readFile(source + "hookpipe-admin.socket").contains("\nFileDescriptorName=admin\n"))
    }
}
