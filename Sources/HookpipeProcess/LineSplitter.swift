import Glibc

/// Cuts a byte stream into newline-terminated lines (NDJSON framing).
///
/// Knows nothing about where the bytes come from: feed it whatever each
/// `read` returned, in any chunking; the lines come out the same. A line is
/// the bytes before a `\n`, without it; a `\r` before the `\n` is kept, as it
/// is JSON whitespace. Empty lines are reported too (as empty arrays).
///
/// Memory is bounded: a line longer than ``maxLineLength`` bytes is not
/// buffered. It is reported once, as ``Line/oversized(prefix:length:)``,
/// when its end is seen (the next `\n`, or ``finish()``), in order with the
/// other lines; the next line is intact.
///
/// Speed: newlines are found with `memchr`, and each line's bytes are copied
/// once, from the chunk into the line's array (a line split across chunks is
/// gathered in a buffer that becomes the line's array without another copy).
public struct LineSplitter: Sendable {
    /// A unit of output.
    public enum Line: Sendable, Hashable {
        /// A line's bytes, without the `\n`.
        case complete([UInt8])
        /// A line longer than the maximum: its first bytes (at most
        /// ``LineSplitter/oversizedPrefixLength``, for logs) and its full length.
        case oversized(prefix: [UInt8], length: Int)
    }

    /// The longest line, in bytes without the `\n`, reported as ``Line/complete(_:)``.
    public let maxLineLength: Int
    /// How many leading bytes of an oversized line are kept for the report
    /// (never more than ``maxLineLength``).
    public let oversizedPrefixLength: Int

    /// The start of the current line while it is within the limit.
    private var partial: [UInt8] = []
    /// While skipping an oversized line: its length so far.
    private var skippedLength: Int?
    /// While skipping an oversized line: its first bytes.
    private var skippedPrefix: [UInt8] = []

    /// Creates a splitter for lines of at most `maxLineLength` bytes.
    public init(maxLineLength: Int, oversizedPrefixLength: Int = 256) {
        precondition(maxLineLength >= 0 && oversizedPrefixLength >= 0, "lengths must not be negative")
        self.maxLineLength = maxLineLength
        self.oversizedPrefixLength = min(oversizedPrefixLength, maxLineLength)
    }

    /// Feeds `chunk` and calls `body` with each line it completes, in order.
    ///
    /// Bytes after the last `\n` are kept for the next call. If `body`
    /// throws, the rest of `chunk` is dropped and the error propagates; the
    /// stream should then be abandoned.
    public mutating func append<Failure: Error>(
        _ chunk: UnsafeRawBufferPointer,
        _ body: (Line) throws(Failure) -> Void
    ) throws(Failure) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            guard let newline = memchr(base + start, 0x0A, chunk.count - start) else {
                absorb(UnsafeRawBufferPointer(rebasing: chunk[start...]))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(newline))
            let line = complete(with: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
            start = end + 1
            try body(line)
        }
    }

    /// Ends the stream: returns the last line if the input did not end with
    /// `\n` (or the report of an oversized last line), and resets the
    /// splitter for a new stream.
    public mutating func finish() -> Line? {
        defer {
            partial = []
            skippedLength = nil
            skippedPrefix = []
        }
        if let skippedLength {
            return .oversized(prefix: skippedPrefix, length: skippedLength)
        }
        return partial.isEmpty ? nil : .complete(partial)
    }

    /// Takes bytes that do not end the current line.
    private mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        if let skipped = skippedLength {
            skippedLength = skipped + bytes.count
        } else if partial.count + bytes.count > maxLineLength {
            startSkipping(with: bytes)
        } else {
            if partial.isEmpty {
                // Room for the rest of a typical line, so completing it does not reallocate.
                partial.reserveCapacity(min(maxLineLength, max(4096, 2 * bytes.count)))
            }
            partial.append(contentsOf: bytes)
        }
    }

    /// Takes the last bytes of the current line (before its `\n`) and returns the line.
    private mutating func complete(with bytes: UnsafeRawBufferPointer) -> Line {
        if let skipped = skippedLength {
            skippedLength = skipped + bytes.count
        } else if partial.count + bytes.count <= maxLineLength {
            if partial.isEmpty { return .complete(Self.copy(bytes)) }
            partial.append(contentsOf: bytes)
            defer { partial = [] }
            return .complete(partial)
        } else {
            startSkipping(with: bytes)
        }
        defer {
            skippedLength = nil
            skippedPrefix = []
        }
        return .oversized(prefix: skippedPrefix, length: skippedLength ?? 0)
    }

    /// The current line, `partial` followed by `bytes`, is too long: keep its
    /// prefix and its length, drop the rest.
    private mutating func startSkipping(with bytes: UnsafeRawBufferPointer) {
        let fromPartial = min(partial.count, oversizedPrefixLength)
        var prefix = Array(partial[..<fromPartial])
        prefix.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(oversizedPrefixLength - fromPartial)))
        skippedPrefix = prefix
        skippedLength = partial.count + bytes.count
        partial = []
    }

    /// A new array holding `bytes`, filled with one `memcpy`.
    private static func copy(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        // With capacity 0 the initializer stores the count into the standard
        // library's shared empty-array storage: harmless (it stores 0), but a
        // write to one global from many threads, which TSan reports.
        guard !bytes.isEmpty else { return [] }
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, initialized in
            if let source = bytes.baseAddress, let destination = buffer.baseAddress {
                memcpy(destination, source, bytes.count)
            }
            initialized = bytes.count
        }
    }
}
