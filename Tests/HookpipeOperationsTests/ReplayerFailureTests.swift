import HookpipeRecovery
import Foundation
import HookpipeOperations
import HookpipeStore
import Logging
import Testing

@Suite("Replayer after a store failure")
struct ReplayerFailureTests {
    let full = StoreError(.full, "commit 4 event(s): SQLite 13: database or disk is full")

    @Test("a seq-range selection's runs span other sources' events; the advice replays exactly the events without a copy")
    func seqRangeRuns() {
        var summary = Replayer.Summary(selection: EventFilter(source: "stripe", fromSeq: 1, toSeq: 20))
        summary.record(original: 2, .success(.stored(seq: 30)))
        summary.record(original: 4, .success(.stored(seq: 31)))
        summary.record(original: 6, .failure(full))
        summary.record(original: 9, .failure(full))
        summary.record(original: 12, .success(.stored(seq: 32)))
        summary.record(original: 15, nil)
        #expect(!summary.isComplete)
        #expect(summary.replayed.description == "2–4, 12")
        #expect(summary.notReplayed.description == "6–9, 15")
        #expect(summary.description == "replayed 3 of 6 selected events as seq 30–32 (copies of seq 2–4, 12)")
        #expect(summary.problems() == [
            "cannot store the copies: store_full: commit 4 event(s): SQLite 13: database or disk is full",
            "not replayed: seq 6–9, 15 (3 events)",
            "the copies stored stay stored; to finish without duplicates once the store takes writes again, run: "
                + "hookpipe replay --from 6 --to 9 --source stripe; hookpipe replay --from 15 --to 15 --source stripe",
        ])
    }

    @Test("other selections split runs at every gap, where events they did not match may lie; nothing replayed is said so")
    func sinceRuns() {
        var summary = Replayer.Summary(selection: EventFilter(receivedSinceMicros: 5, toSeq: 20))
        for seq: Int64 in [2, 3, 5] { summary.record(original: seq, .failure(full)) }
        #expect(summary.description == "replayed none of 3 selected events")
        #expect(summary.problems(command: "hookpipe replay --config x.conf").last
            == "nothing was replayed; to finish without duplicates once the store takes writes again, run: "
            + "hookpipe replay --config x.conf --from 2 --to 3; hookpipe replay --config x.conf --from 5 --to 5")
    }

    @Test("a read failure part-way leaves the rest of the selection to replay, joined to the run before it")
    func readFailure() {
        var summary = Replayer.Summary(selection: EventFilter(fromSeq: 1, toSeq: 10))
        summary.record(original: 1, .success(.stored(seq: 11)))
        summary.record(original: 2, .failure(full))
        summary.readFailure = Replayer.ReadFailure(after: 2, error: StoreError(.unavailable, "read events: I/O error"))
        #expect(summary.description == "replayed 1 of 2+ selected events as seq 11 (copies of seq 1)")
        let problems = summary.problems()
        #expect(problems.contains("not replayed: seq 2 (1 event); not read, so not replayed either: the selected events in seq 3–10"))
        #expect(problems.last?.hasSuffix("run: hookpipe replay --from 2 --to 10") == true, "\(problems)")
    }

    @Test("a replay of several pages that fills a real disk part-way: the summary matches the store, copy for copy",
          .enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root"))
    func fullDisk() async throws {
        let mount = NSTemporaryDirectory() + "hookpipe-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try #require(Self.run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount) == 0)
        defer {
            _ = Self.run("umount", "-l", mount)
            try? FileManager.default.removeItem(atPath: mount)
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try SQLiteEventStore(path: mount + "/hookpipe.sqlite", maxBatch: 4, logger: logger)
        let pad = String(repeating: "x", count: 1_500)
        for index in 1...40 {
            _ = try await store.append(IncomingEvent(source: index % 3 == 0 ? "github" : "stripe", dedupeKey: "e\(index)", dedupeWindow: .seconds(60),
                                                     receivedAtMicros: 1, metadata: Array(#"{"id":"e\#(index)"}"#.utf8), payload: Array(#"{"pad":"\#(pad)"}"#.utf8)))
        }
        // Fill the disk, then free 48 KiB: room for some copies, not all.
        let filler = mount + "/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: filler))
        for _ in 0..<2_048 {
            guard (try? handle.write(contentsOf: Data(repeating: 0x61, count: 4_096))) != nil else { break }
        }
        try handle.truncate(atOffset: try handle.seekToEnd() - 48 * 1_024)
        try handle.close()

        let summary = try await Replayer(store: store, pageSize: 6, pause: .zero).replay(EventFilter(source: "stripe", fromSeq: 1))
        try FileManager.default.removeItem(atPath: filler)
        let copies = try await store.events(matching: EventFilter(fromSeq: 41), limit: 100, newestFirst: false)
        let originals = copies.compactMap { Int64($0.dedupeKey.split(separator: ":")[1]) }
        try #require(!copies.isEmpty && copies.count < 27, "copies: \(copies.count)")
        #expect(summary.failure?.code == .full)
        #expect(summary.count == copies.count)
        #expect(summary.firstSeq == copies.first?.seq && summary.lastSeq == copies.last?.seq)
        let stripe = (1...40).filter { $0 % 3 != 0 }.map { Int64($0) }
        #expect(summary.selected == stripe.count, "every page after the failure is still read, to name what has no copy")
        #expect(expand(summary.replayed, within: stripe) == originals)
        #expect(expand(summary.notReplayed, within: stripe) == stripe.filter { !originals.contains($0) })
        await store.close()
    }

    /// The selected seqs that `runs` cover.
    func expand(_ runs: NumberRuns<Int64>, within selection: [Int64]) -> [Int64] {
        selection.filter { seq in runs.ranges.contains { $0.contains(seq) } }
    }

    /// Runs a command to completion; its exit status.
    static func run(_ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
