import Foundation

/// A harness: checks one input, trapping (`fatalError`, `precondition`) on a bug.
///
/// Built by `scripts/fuzz.sh` (`--sanitize=fuzzer`), SwiftPM compiles the
/// harness as a library and libFuzzer supplies `main`, which calls the
/// harness's `LLVMFuzzerTestOneInput`. In a normal build the harness is
/// marked `@main` (under `#if !HOOKPIPE_FUZZING`) and ``main()`` replays the
/// files (or every file in the directories) named on its command line, so
/// that a crash file or a corpus can be rerun without the fuzzing toolchain.
public protocol FuzzHarness {
    /// Checks `input`; returns when it found nothing wrong.
    static func check(_ input: FuzzInput)
}

extension FuzzHarness {
    /// Replays the command line's files and exits: 0 when none trapped, 2 without arguments.
    public static func main() {
        exit(FuzzDriver.replay(Array(CommandLine.arguments.dropFirst())) { check($0) })
    }
}

/// Reading fuzz inputs from files.
enum FuzzDriver {
    /// Feeds every file named in `paths` (directories: their files, recursively) to `check`.
    static func replay(_ paths: [String], through check: (FuzzInput) -> Void) -> Int32 {
        guard !paths.isEmpty else {
            print("usage: \(CommandLine.arguments.first ?? "harness") FILE_OR_DIRECTORY...")
            print("Replays the inputs through the harness (fuzzing needs the scripts/fuzz.sh build).")
            return 2
        }
        var count = 0
        for file in paths.flatMap(files(under:)) {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("cannot read \(file)")
                return 1
            }
            data.withUnsafeBytes { check(FuzzInput($0.bindMemory(to: UInt8.self).baseAddress, $0.count)) }
            count += 1
        }
        print("replayed \(count) inputs without a crash")
        return 0
    }

    private static func files(under path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let entries = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        return entries.sorted().map { path + "/" + $0 }.filter { file in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}

/// Splits fuzz input into pieces, deterministically, so one input can describe
/// several values (a scheme, headers, a body, chunk sizes).
public struct FuzzInput {
    /// The input, copied.
    public let bytes: [UInt8]

    /// The `size` bytes at `data` (libFuzzer may pass `nil` for an empty input).
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    /// A hash of the whole input (FNV-1a), to seed choices that should vary with it.
    public var seed: UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// A small deterministic generator (SplitMix64), seeded from the input so a
/// crash reproduces from its file alone.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
