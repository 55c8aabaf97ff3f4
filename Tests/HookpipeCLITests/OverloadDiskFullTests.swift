import Foundation
import Testing

/// A small tmpfs for a test's state directory; needs root (CI runs as root).
struct ScratchMount {
    let path: String

    /// Whether this process may mount a tmpfs (tried once, on a throwaway directory).
    static let possible: Bool = {
        guard geteuid() == 0, let mount = try? ScratchMount(sizeKiB: 256) else { return false }
        mount.remove()
        return true
    }()

    init(sizeKiB: Int) throws {
        path = NSTemporaryDirectory() + "hookpipe-tmpfs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try HookpipeBinary.run(["-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0700", "tmpfs", path], executable: "/bin/mount",
                                            timeout: 10)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw Overload.Failure(description: "mount: \(result.stderr)")
        }
    }

    /// Fills the file system to the last byte with `ballast` (dd stops at ENOSPC).
    func fill() throws {
        _ = try HookpipeBinary.run(["if=/dev/zero", "of=\(path)/ballast", "bs=4k"], executable: "/bin/dd", timeout: 30)
    }

    func remove() {
        _ = try? HookpipeBinary.run([path], executable: "/bin/umount", timeout: 10)
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension OverloadTests {
    @Test("a full disk: the daemon answers 503 store_full, and `status` says running and store full (exit 2), not 'not running'; read-only commands write nothing",
          .enabled(if: ScratchMount.possible, "mounting a tmpfs needs root"))
    func statusOnFullDisk() throws {
        let mount = try ScratchMount(sizeKiB: 8 << 10)
        defer { mount.remove() }
        let workspace = try DaemonEndToEndTests.Workspace(extraSource: "\n[store]\nstate_directory = \"\(mount.path)/state\"\n")
        defer { workspace.remove() }
        let daemon = try DaemonEndToEndTests.Daemon(config: workspace.config)
        defer { _ = daemon.stop() }
        try daemon.waitUntilListening()
        let first = try Overload.timedPost(port: workspace.port, config: workspace.config, body: #"{"id":"evt_disk_0"}"#)
        #expect(first.status == 200)

        try mount.fill()
        var refusal: LoopbackHTTP.Response?
        for index in 1...40 where refusal == nil {
            let body = #"{"id":"evt_disk_\#(index)","padding":"\#(String(repeating: "x", count: 8_000))"}"#
            let signature = try Overload.stripeSignature(config: workspace.config, body: body)
            let response = try LoopbackHTTP.post(port: workspace.port, "/hooks/stripe", headers: [("Stripe-Signature", signature)], body: body)
            if response.status == 503 { refusal = response }
        }
        let refused = try #require(refusal, "no 503 while the disk is full")
        #expect(refused.body.contains("store_full"), "\(refused.body)")
        #expect(refused.headers["retry-after"] != nil)

        // status.json cannot be rewritten on a full disk: let it go stale (over 5 s).
        Thread.sleep(forTimeInterval: 6)
        let status = try HookpipeBinary.run(["status", "--config", workspace.config], timeout: 30)
        #expect(status.status == 2, "exit \(status.status): \(status.stdout) \(status.stderr)")
        #expect(status.stdout.hasPrefix("hookpipe: running"), "\(status.stdout)")
        #expect(status.stdout.contains("store disk:") && status.stdout.contains("FULL"), "\(status.stdout)")
        let json = try HookpipeBinary.run(["status", "--json", "--config", workspace.config], timeout: 30)
        #expect(json.stdout.contains(#""store_full":true"#), "\(json.stdout)")

        // Read-only commands: no WAL fold attempts, no damage reported.
        let tail = try HookpipeBinary.run(["tail", "-n", "1", "--config", workspace.config], timeout: 30)
        let letters = try HookpipeBinary.run(["dlq", "list", "--config", workspace.config], timeout: 30)
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(tail.stdout.contains("evt_disk_"), "\(tail.stdout)")
        #expect(letters.status == 0, "\(letters.stderr)")
        for output in [status.stderr, json.stderr, tail.stderr, letters.stderr] {
            #expect(!output.contains("fold its WAL"), "\(output)")
            #expect(!output.contains("damaged"), "\(output)")
        }
        print("overload: full disk: 503 \(refused.body); status: \(status.stdout.split(separator: "\n").first ?? "")")
    }
}
