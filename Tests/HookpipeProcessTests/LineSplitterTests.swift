import HookpipeProcess
import Testing

/// Framing only: bytes in, lines out, whatever the chunking.
struct LineSplitterTests {
    typealias Line = LineSplitter.Line

    /// Feeds `input` in chunks of the given sizes (cycled), then finishes.
    static func split(_ input: [UInt8], chunkSizes: [Int], maximum: Int = 64, prefix: Int = 8) -> [Line] {
        var splitter = LineSplitter(maxLineLength: maximum, oversizedPrefixLength: prefix)
        var lines: [Line] = []
        var offset = 0
        var turn = 0
        input.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let size = min(chunkSizes[turn % chunkSizes.count], bytes.count - offset)
                splitter.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size])) { lines.append($0) }
                offset += size
                turn += 1
            }
        }
        if let last = splitter.finish() { lines.append(last) }
        return lines
    }

    static func line(_ string: String) -> Line { .complete(Array(string.utf8)) }

    static let sample: [UInt8] = Array(
        ("{\"a\":1}\n\n\r\n{\"b\":\"crlf\"}\r\n" + String(repeating: "x", count: 100) + "\nafter\n"
            + String(repeating: "y", count: 64) + "\n" + String(repeating: "z", count: 65) + "\nlast").utf8
    )

    static let expected: [Line] = [
        line("{\"a\":1}"),
        line(""),
        line("\r"),
        line("{\"b\":\"crlf\"}\r"),
        .oversized(prefix: Array("xxxxxxxx".utf8), length: 100),
        line("after"),
        line(String(repeating: "y", count: 64)),
        .oversized(prefix: Array("zzzzzzzz".utf8), length: 65),
        line("last"),
    ]

    @Test func allAtOnce() {
        #expect(Self.split(Self.sample, chunkSizes: [Self.sample.count]) == Self.expected)
    }

    @Test func oneByteAtATime() {
        #expect(Self.split(Self.sample, chunkSizes: [1]) == Self.expected)
    }

    @Test func randomChunkSizes() {
        var generator = SplitMix64(seed: 0x5eed)
        for _ in 0..<200 {
            let sizes = (0..<16).map { _ in Int.random(in: 1...80, using: &generator) }
            #expect(Self.split(Self.sample, chunkSizes: sizes) == Self.expected, "chunk sizes \(sizes)")
        }
    }

    @Test func everySplitPointOfTwoChunks() {
        for cut in 1..<Self.sample.count {
            #expect(Self.split(Self.sample, chunkSizes: [cut, Self.sample.count]) == Self.expected, "cut at \(cut)")
        }
    }

    @Test func oversizedLineIsReportedOnceAndTheNextLineIsIntact() {
        let input = Array((String(repeating: "a", count: 1000) + "\n{\"ok\":true}\n").utf8)
        for sizes in [[1], [7], [1000], [input.count]] {
            let lines = Self.split(input, chunkSizes: sizes, maximum: 100, prefix: 4)
            #expect(lines == [.oversized(prefix: Array("aaaa".utf8), length: 1000), Self.line("{\"ok\":true}")])
        }
    }

    @Test func oversizedPrefixNeverExceedsTheMaximum() {
        let lines = Self.split(Array("abcdefgh\n".utf8), chunkSizes: [3], maximum: 2, prefix: 100)
        #expect(lines == [.oversized(prefix: Array("ab".utf8), length: 8)])
    }

    @Test func finish() {
        var splitter = LineSplitter(maxLineLength: 10)
        #expect(splitter.finish() == nil)
        Array("a\nb".utf8).withUnsafeBytes { splitter.append($0) { #expect($0 == Self.line("a")) } }
        #expect(splitter.finish() == Self.line("b"))
        // Reset: a new stream starts empty.
        #expect(splitter.finish() == nil)
        Array("end\n".utf8).withUnsafeBytes { splitter.append($0) { #expect($0 == Self.line("end")) } }
        #expect(splitter.finish() == nil)
        Array("0123456789ABC".utf8).withUnsafeBytes { splitter.append($0) { Issue.record("unexpected \($0)") } }
        #expect(splitter.finish() == .oversized(prefix: Array("0123456789".utf8), length: 13))
    }

    @Test func emptyChunksAreHarmless() {
        var splitter = LineSplitter(maxLineLength: 10)
        var lines: [Line] = []
        splitter.append(UnsafeRawBufferPointer(start: nil, count: 0)) { lines.append($0) }
        Array("\n".utf8).withUnsafeBytes { splitter.append($0) { lines.append($0) } }
        #expect(lines == [Self.line("")])
    }

    @Test func errorsFromTheBodyPropagate() {
        struct Stop: Error {}
        var splitter = LineSplitter(maxLineLength: 10)
        #expect(throws: Stop.self) {
            try Array("a\nb\n".utf8).withUnsafeBytes { bytes in
                try splitter.append(bytes) { _ throws(Stop) in throw Stop() }
            }
        }
    }
}

/// A small seeded generator, so random chunkings are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
