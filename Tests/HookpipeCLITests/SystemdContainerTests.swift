import Foundation
import Testing

/// `proof/systemd_container.sh` under a real systemd: the package built from
/// the binary these tests run, installed with `dpkg -i` in a Debian bookworm
/// root (debootstrap) booted with systemd-nspawn, then READY, status and
/// `/readyz`, delivery, reload, journal priorities, the watchdog, stop,
/// socket activation, remove and purge, as the README tells a sysadmin.
///
/// The package holds the debug binary (CI builds no release: ~25 min), which
/// loads Swift's runtime from the toolchain, so the toolchain is bound
/// read-only into the container. The script's header says what that leaves
/// unproved for the release package (its Depends, the optimised binary,
/// timings). Needs root, debootstrap, systemd-nspawn and nsenter
/// (scripts/install-deps.sh installs them) and Debian's mirror; several
/// minutes, most of them debootstrap and the watchdog's timeouts.
/// `HOOKPIPE_DEBOOTSTRAP_CACHE=DIR` in the environment reuses the downloads
/// between runs. `.ci/run` sets `HOOKPIPE_CONTAINER_PROOF=required`, which
/// turns a missing tool or a non-root run from a skip into a failure.
///
/// Plain suite only, like the proof harnesses: an instrumented binary is not
/// what gets packaged, and its runtime is not Debian's.
@Suite("Debian package under a real systemd (systemd-nspawn)", .serialized,
       .enabled(if: plainSuite, "plain suite only: the package holds the plain binary, not an instrumented one"))
struct SystemdContainerTests {
    static let tools = ["debootstrap", "systemd-nspawn", "nsenter"]
    static let required = ProcessInfo.processInfo.environment["HOOKPIPE_CONTAINER_PROOF"] == "required"
    /// The script's own bound is its steps' (debootstrap alone may take 30 min); this one is the suite's.
    static let timeoutSeconds = 720

    static var missingTools: [String] {
        tools.filter { tool in
            !["/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) }
        }
    }

    @Test("dpkg -i, enable --now, and every check of proof/systemd_container.sh passes under systemd",
          .enabled(if: geteuid() == 0 || required, "needs root: debootstrap and systemd-nspawn run as root"),
          .enabled(if: missingTools.isEmpty || required,
                   "\(missingTools.joined(separator: ", ")) missing: scripts/install-deps.sh installs debootstrap and systemd-container"))
    func packageRunsUnderSystemd() async throws {
        try #require(geteuid() == 0, "HOOKPIPE_CONTAINER_PROOF=required, but the suite does not run as root")
        try #require(Self.missingTools.isEmpty,
                     "HOOKPIPE_CONTAINER_PROOF=required, but \(Self.missingTools) are missing (scripts/install-deps.sh)")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("hookpipe-nspawn-deb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: output) }

        // Everything that blocks runs off the cooperative pool: with the proof
        // harnesses holding one of its two threads, these minutes on the
        // other starved the suite's async tests (a tailer and a chain test
        // failed their 30 s waits).
        let deb = try await DebianPackageTests.package(into: output)
        let toolchain = try await Self.swiftToolchain(of: HookpipeBinary.path)

        let started = Date()
        // timeout(1) signals its whole process group: the script (which then
        // ends its step, powers the container off and deletes its root: up to
        // 36 s here, hence 120 s before SIGKILL) and systemd-nspawn.
        let run = try await HookpipeBinary.offPool {
            try HookpipeBinary.run(
                ["--kill-after=120", String(Self.timeoutSeconds), "/bin/bash",
                 HookpipeBinary.packageRoot + "/proof/systemd_container.sh", deb],
                executable: "/usr/bin/timeout", environment: ["HOOKPIPE_NSPAWN_BIND_RO": toolchain],
                timeout: TimeInterval(Self.timeoutSeconds + 180))
        }
        let seconds = Int(Date().timeIntervalSince(started))
        let transcript = run.stdout + (run.stderr.isEmpty ? "" : "\nstderr:\n" + run.stderr)
        let lines = run.stdout.split(separator: "\n")
        #expect(run.status != 124, "timed out after \(Self.timeoutSeconds) s:\n\(transcript)")
        #expect(run.status == 0, "exit \(run.status) after \(seconds) s:\n\(transcript)")
        #expect(!lines.contains { $0.contains("] FAIL: ") }, "\(transcript)")
        // The last checks ran (a script cut short cannot pass for a clean one).
        for check in ["ok: systemctl enable --now hookpipe", "ok: watchdog: SIGSTOPped", "ok: across the restart", "ok: dpkg --purge"] {
            #expect(lines.contains { $0.contains(check) }, "no '\(check)' line:\n\(transcript)")
        }
        // The transcript goes to the suite's log either way: its timings (debootstrap, the watchdog's restart) are the cost in CI.
        print("systemd container proof: exit \(run.status) after \(seconds) s, \(lines.filter { $0.contains("] ok: ") }.count) checks ok:\n"
              + lines.map { "    " + $0 }.joined(separator: "\n"))
    }

    /// The toolchain a debug `binary` loads Swift's runtime from (`/opt/swift`
    /// for `/opt/swift/usr/lib/swift/linux/libswiftCore.so`), found with ldd.
    static func swiftToolchain(of binary: String) async throws -> String {
        let ldd = try await HookpipeBinary.offPool { try HookpipeBinary.run([binary], executable: "/usr/bin/ldd", timeout: 30) }
        let library = ldd.stdout.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split { $0 == " " || $0 == "\t" }
            guard fields.first == "libswiftCore.so", fields.count >= 3 else { return nil }
            return String(fields[2])
        }.first
        let path = try #require(library, "ldd \(binary) shows no libswiftCore.so:\n\(ldd.stdout)")
        let suffix = "/usr/lib/swift/linux/libswiftCore.so"
        try #require(path.hasSuffix(suffix), "libswiftCore.so at \(path), not under a toolchain's \(suffix)")
        return String(path.dropLast(suffix.count))
    }
}
