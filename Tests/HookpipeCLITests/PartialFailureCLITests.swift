import Foundation
import Testing

extension OperatorCLITests {
    /// `replay` and `inject` when the disk fills in the middle of one page:
    /// the store group-commits a page in several transactions, some commit
    /// and the rest fail. What the command reports must be what is stored,
    /// and its advice must finish the job without duplicates.
    @Suite("replay and inject on a disk that fills part-way", .enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root"))
    struct PartialFailureCLITests {
        /// Events per test: one page of `replay` and one chunk of `inject` (about 60 KiB).
        static let count = 40

        @Test("a replay cut short by a full disk reports exactly the copies stored and the --from/--to that finish it")
        func replay() throws {
            let disk = try SmallDisk()
            defer { disk.remove() }
            let injected = try disk.hookpipe(["inject", "--source", "stripe"], stdin: SmallDisk.lines("orig"))
            #expect(injected.status == 0, "\(injected.stderr)")
            try disk.fill(leavingFree: 96 << 10)

            let result = try disk.hookpipe(["replay", "--from", "1", "--to", "\(Self.count)"])
            try disk.freeSpace()
            let copies = try disk.stored().compactMap { $0["replay_of"] as? Int }
            // The failure must have come part-way through the page, or this test proves nothing.
            try #require(!copies.isEmpty && copies.count < Self.count, "copies stored: \(copies.count); \(result.stdout)\(result.stderr)")
            #expect(result.status == 1)
            let reported = (result.stdout + result.stderr).firstMatch(of: /replayed (\d+)/).map { Int($0.1)! } ?? 0
            #expect(reported == copies.count, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            #expect(result.stdout.contains("of \(Self.count) selected events"), "\(result.stdout)")
            let missing = (1...Self.count).filter { !copies.contains($0) }
            #expect(result.stderr.contains("store_full"), "\(result.stderr)")
            #expect(result.stderr.contains("not replayed: seq \(runs(missing)) (\(missing.count) events)"), "\(result.stderr)")

            // The advice, followed to the letter, leaves exactly one copy of every event.
            let advice = try #require(result.stderr.firstMatch(of: /run: ([^\n]+)/).map { String($0.1) }, "\(result.stderr)")
            for command in advice.components(separatedBy: "; ") {
                let words = command.split(separator: " ").map(String.init)
                #expect(words.first == "hookpipe", "\(command)")
                let rerun = try HookpipeBinary.run(Array(words.dropFirst()))
                #expect(rerun.status == 0, "\(command): \(rerun.stderr)")
            }
            let all = try disk.stored().compactMap { $0["replay_of"] as? Int }
            #expect(all.sorted() == Array(1...Self.count), "copies of: \(all.sorted())")
        }

        @Test("an inject cut short by a full disk reports every line stored, names the lines not stored, and its sed command finishes it")
        func inject() throws {
            let disk = try SmallDisk()
            defer { disk.remove() }
            let input = disk.directory + "/input.ndjson"
            try SmallDisk.lines("inj").write(toFile: input, atomically: false, encoding: .utf8)
            try disk.fill(leavingFree: 64 << 10)

            // From a file, so that one read takes every line: one batch, several transactions.
            let result = try disk.shell("\(HookpipeBinary.path) inject --source stripe -v --config \(disk.config) < \(input)")
            try disk.freeSpace()
            let storedIDs = try disk.stored().compactMap { $0["id"] as? String }
            try #require(!storedIDs.isEmpty && storedIDs.count < Self.count, "stored: \(storedIDs.count); \(result.stdout)\(result.stderr)")
            #expect(result.status == 1)
            let reported = result.stdout.matches(of: /line (\d+): stored as seq \d+, id (\S+)/).map { String($0.2) }
            #expect(Set(reported) == Set(storedIDs), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            #expect(reported.count == storedIDs.count)
            let missing = (1...Self.count).filter { !storedIDs.contains("inj\($0)") }
            #expect(result.stdout.contains("stripe: \(storedIDs.count) stored, 0 duplicates, 0 invalid, \(missing.count) not stored"), "\(result.stdout)")
            #expect(result.stderr.contains("store_full"), "\(result.stderr)")
            #expect(result.stderr.contains("not stored: lines \(runs(missing))"), "\(result.stderr)")

            let advice = try #require(result.stderr.firstMatch(of: /feed only those lines: (.+) \(feeding/).map { String($0.1) }, "\(result.stderr)")
            let rerun = try disk.shell(advice.replacingOccurrences(of: "INPUT", with: input).replacingOccurrences(of: "hookpipe inject", with: "\(HookpipeBinary.path) inject"))
            #expect(rerun.status == 0, "\(advice): \(rerun.stderr)")
            #expect(rerun.stdout.contains("stripe: \(missing.count) stored, 0 duplicates"), "\(rerun.stdout)")
            let all = try disk.stored().compactMap { $0["id"] as? String }
            #expect(all.sorted() == (1...Self.count).map { "inj\($0)" }.sorted())
        }

        /// `3–5, 9` for [3, 4, 5, 9].
        func runs(_ numbers: [Int]) -> String {
            var ranges: [ClosedRange<Int>] = []
            for number in numbers {
                if let last = ranges.last, last.upperBound + 1 == number { ranges[ranges.count - 1] = last.lowerBound...number } else { ranges.append(number...number) }
            }
            return ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)–\($0.upperBound)" }.joined(separator: ", ")
        }
    }
}

/// A workspace whose state directory is an 8 MiB tmpfs holding a store
/// (created by starting and stopping the daemon), committing at most 4
/// events per transaction.
struct SmallDisk {
    let base: DaemonEndToEndTests.Workspace
    var directory: String { base.directory }
    var config: String { base.config }
    var state: String { directory + "/state" }
    var filler: String { state + "/filler" }

    init() throws {
        base = try DaemonEndToEndTests.Workspace(extraSource: "\n[store]\nmax_batch = 4\n")
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        let mount = try HookpipeBinary.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", directory + "/state"], executable: "/usr/bin/env")
        try #require(mount.status == 0, "mount: \(mount.stderr)")
        let daemon = try DaemonEndToEndTests.Daemon(config: base.config)
        try daemon.waitUntilListening()
        try #require(daemon.stop() == 0)
    }

    /// Unmounts the tmpfs and removes the workspace.
    func remove() {
        _ = try? HookpipeBinary.run(["umount", "-l", state], executable: "/usr/bin/env")
        base.remove()
    }

    /// `count` lines `{"id":"<prefix><i>","pad":"…"}` of about 1.5 KiB.
    static func lines(_ prefix: String, _ count: Int = OperatorCLITests.PartialFailureCLITests.count) -> String {
        let pad = String(repeating: "x", count: 1_500)
        return (1...count).map { #"{"id":"\#(prefix)\#($0)","pad":"\#(pad)"}"# + "\n" }.joined()
    }

    /// Fills the tmpfs with a file, then shrinks it to leave `bytes` free.
    func fill(leavingFree bytes: Int) throws {
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: filler))
        defer { try? handle.close() }
        for size in [64 << 10, 4 << 10] {
            // Bounded: 8 MiB holds at most 2048 blocks of 4 KiB.
            for _ in 0..<2_048 {
                guard (try? handle.write(contentsOf: Data(repeating: 0x61, count: size))) != nil else { break }
            }
        }
        let size = try handle.seekToEnd()
        try #require(size > UInt64(bytes))
        try handle.truncate(atOffset: size - UInt64(bytes))
    }

    /// Removes the filler.
    func freeSpace() throws {
        try FileManager.default.removeItem(atPath: filler)
    }

    /// Runs `hookpipe <arguments> --config <config>`.
    func hookpipe(_ arguments: [String], stdin: String? = nil) throws -> HookpipeBinary.Result {
        try HookpipeBinary.run(arguments + ["--config", config], stdin: stdin, timeout: 60)
    }

    /// Runs `command` with `sh -c`.
    func shell(_ command: String) throws -> HookpipeBinary.Result {
        try HookpipeBinary.run(["-c", command], executable: "/bin/sh", timeout: 60)
    }

    /// Every stored event's envelope (`hookpipe tail --from 1`).
    func stored() throws -> [[String: Any]] {
        let tail = try hookpipe(["tail", "--from", "1"])
        try #require(tail.status == 0, "\(tail.stderr)")
        return OperatorWorkspace.objects(tail.stdout)
    }
}
