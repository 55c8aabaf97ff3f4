import Foundation
import Testing

/// `scripts/package-deb.sh` builds a package from the binary these tests run,
/// and `proof/deb_contents.sh` checks it without installing it: metadata,
/// conffiles, Depends, the FHS layout with modes, `systemd-analyze verify`
/// on the units as installed, the sysusers.d entry, and `hookpipe check` on
/// the shipped `pipeline.conf` with dummy credentials. No network, no
/// systemd running. (SystemdContainerTests installs and runs the same package
/// under a real systemd, `proof/systemd_container.sh`.)
///
/// Not run under the sanitizers (scripts/sanitize.sh sets ASAN_OPTIONS or
/// TSAN_OPTIONS): an instrumented binary is not what gets packaged, and its
/// runtime libraries are not Debian's; the plain suite runs it.
@Suite(.timeLimit(.minutes(5)), .enabled(if: ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil
                                          && ProcessInfo.processInfo.environment["TSAN_OPTIONS"] == nil))
struct DebianPackageTests {
    static let tools = ["/usr/bin/dpkg-deb", "/usr/bin/dpkg-shlibdeps", "/usr/bin/systemd-analyze", "/usr/bin/systemd-sysusers"]

    @Test func packageHasTheLayoutUnitsAndConfigASysadminExpects() async throws {
        for tool in Self.tools where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: run scripts/install-deps.sh (it installs dpkg-dev and systemd)")
            return
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("hookpipe-deb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let deb = try await Self.package(into: output)

        let check = try HookpipeBinary.run(
            [HookpipeBinary.packageRoot + "/proof/deb_contents.sh", deb], executable: "/bin/bash", timeout: 60)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.hasSuffix("all checks passed\n"), "\(check.stdout)")
        #expect(!check.stdout.contains("FAIL"), "\(check.stdout)")
    }

    /// Builds the package of the binary these tests run (uncompressed) into
    /// `output` with `scripts/package-deb.sh`; returns the path of the .deb.
    /// The debug binary loads Swift's runtime from the toolchain, which the
    /// release build links statically; the layout is the same.
    static func package(into output: String) async throws -> String {
        let build = try await HookpipeBinary.offPool {
            try HookpipeBinary.run(
                [HookpipeBinary.packageRoot + "/scripts/package-deb.sh", "--output", output],
                executable: "/bin/bash",
                environment: ["HOOKPIPE_BIN": HookpipeBinary.path, "HOOKPIPE_ALLOW_FOREIGN_LIBS": "1", "HOOKPIPE_DEB_COMPRESSION": "none"],
                timeout: 240)
        }
        try #require(build.status == 0, "package-deb.sh: \(build.stderr)")
        let deb = try #require(build.stdout.split(separator: "\n").last.map(String.init))
        try #require(deb.hasPrefix(output + "/hookpipe_") && deb.hasSuffix(".deb"), "\(build.stdout)")
        return deb
    }
}
