import Foundation

/// What a SQLite write-ahead log holds before SQLite recovers from it, read
/// with the file format's own checksums (sqlite.org/fileformat2.html#walformat).
///
/// SQLite's recovery silently drops every frame from the first one whose
/// checksum fails; this tells the operator that it happened. With
/// `synchronous = FULL` a commit is synced before it is acknowledged, so
/// damaged frames after a crash are normally an unacknowledged write the
/// crash tore; anything else means the disk lost synced data.
struct WALInspection: Equatable {
    /// Frames SQLite will replay: intact, up to the last intact commit.
    var committedFrames = 0
    /// Intact frames after the last commit: a transaction that never committed.
    var uncommittedFrames = 0
    /// Frames of the current generation whose checksum fails, from the first
    /// failure on; SQLite discards them and what follows.
    var damagedFrames = 0
    /// Byte offset of the first damaged frame.
    var damagedAt: Int?

    /// Reads the WAL at `path`; `nil` when it does not exist or holds no frames.
    static func inspect(path: String) -> WALInspection? {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 32 else { return nil }
        return data.withUnsafeBytes { inspect(Array($0.bindMemory(to: UInt8.self))) }
    }

    static func inspect(_ bytes: [UInt8]) -> WALInspection? {
        guard bytes.count >= 32 else { return nil }
        let magic = word(bytes, 0, bigEndian: true)
        guard magic & 0xFFFF_FFFE == 0x377F_0682 else { return nil }
        let bigEndian = magic & 1 == 1
        let pageSize = Int(word(bytes, 8, bigEndian: true))
        guard pageSize >= 512, pageSize <= 65_536 else { return nil }
        var sums = checksum(bytes[0..<24], bigEndian: bigEndian, start: (0, 0))
        guard sums == (word(bytes, 24, bigEndian: true), word(bytes, 28, bigEndian: true)) else { return nil }
        let salts = bytes[16..<24]
        var report = WALInspection()
        var pending = 0
        var offset = 32
        let frameSize = 24 + pageSize
        while offset + frameSize <= bytes.count {
            // Frames of an older generation (the WAL restarted) carry other salts: the log ends here.
            guard bytes[(offset + 8)..<(offset + 16)].elementsEqual(salts) else { break }
            if report.damagedAt == nil {
                let next = checksum(bytes[(offset + 24)..<(offset + frameSize)], bigEndian: bigEndian,
                                    start: checksum(bytes[offset..<(offset + 8)], bigEndian: bigEndian, start: sums))
                if next == (word(bytes, offset + 16, bigEndian: true), word(bytes, offset + 20, bigEndian: true)) {
                    sums = next
                    pending += 1
                    if word(bytes, offset + 4, bigEndian: true) != 0 {  // commit frame: the database size after it
                        report.committedFrames += pending
                        pending = 0
                    }
                } else {
                    report.damagedAt = offset
                }
            }
            if report.damagedAt != nil { report.damagedFrames += 1 }
            offset += frameSize
        }
        // A frame cut short by the end of the file (a torn append) is damaged too.
        if report.damagedAt == nil, offset < bytes.count, bytes.count - offset >= 16,
           bytes[(offset + 8)..<(offset + 16)].elementsEqual(salts) {
            report.damagedAt = offset
            report.damagedFrames += 1
        }
        report.uncommittedFrames = pending
        return report.committedFrames + report.uncommittedFrames + report.damagedFrames == 0 ? nil : report
    }

    private static func word(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt32 {
        let b = (UInt32(bytes[offset]), UInt32(bytes[offset + 1]), UInt32(bytes[offset + 2]), UInt32(bytes[offset + 3]))
        return bigEndian ? b.0 << 24 | b.1 << 16 | b.2 << 8 | b.3 : b.3 << 24 | b.2 << 16 | b.1 << 8 | b.0
    }

    /// SQLite's WAL checksum: over 32-bit words in pairs, continuing from `start`.
    private static func checksum(_ slice: ArraySlice<UInt8>, bigEndian: Bool, start: (UInt32, UInt32)) -> (UInt32, UInt32) {
        var (s0, s1) = start
        let bytes = Array(slice)
        var index = 0
        while index + 8 <= bytes.count {
            s0 = s0 &+ word(bytes, index, bigEndian: bigEndian) &+ s1
            s1 = s1 &+ word(bytes, index + 4, bigEndian: bigEndian) &+ s0
            index += 8
        }
        return (s0, s1)
    }
}
