import Foundation
import Testing
@testable import HookpipeVerification

/// `constantTimeEquals` reads every byte of both inputs wherever they first
/// differ; counted with a collection that records its reads, not timed.
@Suite struct ConstantTimeTests {
    /// Counts element reads (shared by the copies the comparison makes).
    final class ReadCounter { var reads = 0 }

    /// Bytes whose every subscript read is counted.
    struct CountingBytes: Collection {
        let bytes: [UInt8]
        let counter: ReadCounter
        var startIndex: Int { bytes.startIndex }
        var endIndex: Int { bytes.endIndex }
        func index(after index: Int) -> Int { index + 1 }
        subscript(position: Int) -> UInt8 {
            counter.reads += 1
            return bytes[position]
        }
    }

    /// The result of comparing `a` with `b`, and how many bytes were read.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> (equal: Bool, reads: Int) {
        let counter = ReadCounter()
        let equal = constantTimeEquals(CountingBytes(bytes: a, counter: counter), CountingBytes(bytes: b, counter: counter))
        return (equal, counter.reads)
    }

    @Test("every byte of both digests is read, wherever the first difference is", arguments: [20, 32, 64])
    func readsEverything(length: Int) {
        let digest = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let same = Self.compare(digest, digest)
        #expect(same.equal)
        #expect(same.reads == 2 * length)
        for position in [0, 1, length / 2, length - 1] {
            var forged = digest
            forged[position] ^= 0x01
            let result = Self.compare(forged, digest)
            #expect(!result.equal)
            #expect(result.reads == 2 * length, "first difference at byte \(position)")
        }
        let allDifferent = Self.compare(digest.map { ~$0 }, digest)
        #expect(!allDifferent.equal)
        #expect(allDifferent.reads == 2 * length)
    }

    @Test("lengths are public: different lengths are refused without reading the bytes")
    func lengthMismatch() {
        let result = Self.compare(Array(repeating: 0, count: 31), Array(repeating: 0, count: 32))
        #expect(!result.equal)
        #expect(result.reads == 0)
        #expect(constantTimeEquals([UInt8](), []))
    }
}
