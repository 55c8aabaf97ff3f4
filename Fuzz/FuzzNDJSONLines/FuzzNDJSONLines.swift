// Fuzzes the chain's reading of a stage's stdout: `LineSplitter` fed the
// same stream in three chunkings, then every line validated with jansson
// (`JSONDocument`) the way the runner does (object? `seq`?).
//
// Input: byte 0 picks a small line limit and byte 1 the oversized-prefix
// length (to exercise the skipping of long lines); the rest is the stream
// (see Fuzz/Corpus/FuzzNDJSONLines/). A first line starting with `/` is also
// used as a JSON pointer into every document.
//
// Checked, beyond "never traps": all at once, one byte at a time and in
// random chunks (zero-length ones included) give exactly the lines of a
// plain reference split, oversized lines reported with the right prefix and
// length.
import FuzzSupport
import HookpipeJSON
import HookpipeProcess

enum Harness: FuzzHarness {
    static func check(_ input: FuzzInput) {
        guard input.bytes.count >= 2 else { return }
        let maxLine = Int(input.bytes[0] % 64)
        let prefixLength = Int(input.bytes[1] % 80)
        let stream = Array(input.bytes.dropFirst(2))

        let expected = reference(stream, maxLineLength: maxLine, prefixLength: prefixLength)
        var random = SplitMix64(seed: input.seed)
        let chunkings: [(String, [Int])] = [
            ("whole", [stream.count]),
            ("bytewise", Array(repeating: 1, count: stream.count)),
            ("random", randomChunks(total: stream.count, using: &random)),
        ]
        for (label, sizes) in chunkings {
            let lines = split(stream, sizes: sizes, maxLineLength: maxLine, prefixLength: prefixLength)
            if lines != expected {
                fatalError("LineSplitter(\(maxLine), \(prefixLength)) \(label) chunking \(sizes): \(lines) != \(expected)")
            }
        }

        let pointer = stream.first == UInt8(ascii: "/")
            ? String(decoding: stream.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self) : nil
        for line in split(stream, sizes: randomChunks(total: stream.count, using: &random), maxLineLength: 1 << 20, prefixLength: 256) {
            guard case .complete(let bytes) = line else { fatalError("a line within 1 MiB was reported oversized") }
            validate(bytes, pointer: pointer)
        }
    }

    /// What the chain does with a stage's output line.
    static func validate(_ bytes: [UInt8], pointer: String?) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        switch JSONDocument.parse(bytes) {
        case .success(let document):
            guard document.isObject else { return }
            _ = document.scalarText(at: "/seq").flatMap { Int64($0) }
            _ = document.scalarText(at: "/payload/data/id")
            if let pointer { _ = document.scalarText(at: pointer) }
        case .failure(let error):
            _ = error.description
        }
    }

    static func split(_ stream: [UInt8], sizes: [Int], maxLineLength: Int, prefixLength: Int) -> [LineSplitter.Line] {
        var splitter = LineSplitter(maxLineLength: maxLineLength, oversizedPrefixLength: prefixLength)
        var lines: [LineSplitter.Line] = []
        var start = 0
        stream.withUnsafeBytes { all in
            for size in sizes {
                splitter.append(UnsafeRawBufferPointer(rebasing: all[start..<start + size])) { lines.append($0) }
                start += size
            }
        }
        precondition(start == stream.count, "chunk sizes must cover the stream")
        if let last = splitter.finish() { lines.append(last) }
        return lines
    }

    /// Sizes summing to `total`, mostly small, some empty, some large.
    static func randomChunks(total: Int, using random: inout SplitMix64) -> [Int] {
        var sizes: [Int] = []
        var left = total
        while left > 0 {
            let size = switch random.next() % 8 {
            case 0: 0
            case 1: Int.random(in: 0...left, using: &random)
            default: min(left, Int.random(in: 1...16, using: &random))
            }
            sizes.append(size)
            left -= size
        }
        return sizes
    }

    /// The lines as a plain split on `\n` sees them.
    static func reference(_ stream: [UInt8], maxLineLength: Int, prefixLength: Int) -> [LineSplitter.Line] {
        let parts = stream.split(separator: 0x0A, omittingEmptySubsequences: false)
        var lines: [LineSplitter.Line] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.isEmpty { break }  // nothing after the last newline
            if part.count <= maxLineLength {
                lines.append(.complete(Array(part)))
            } else {
                lines.append(.oversized(prefix: Array(part.prefix(min(prefixLength, maxLineLength))), length: part.count))
            }
        }
        return lines
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Harness.check(FuzzInput(data, size))
    return 0
}

#if !HOOKPIPE_FUZZING
@main extension Harness {}  // replays files; libFuzzer has its own main
#endif
