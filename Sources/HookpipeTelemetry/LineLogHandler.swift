public import Logging
import Foundation

/// Writes one line per log record to stderr: `level message key=value …`.
///
/// Under systemd (`$JOURNAL_STREAM` set) each line starts with a syslog
/// priority prefix such as `<6>`, so journald records the right level and
/// adds its own timestamp; otherwise lines start with an RFC 3339 time.
/// Values with spaces, quotes or `=` are quoted. Metadata keys are sorted so
/// lines are stable and easy to grep.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LineSink

    /// - Parameters:
    ///   - journal: prefix syslog priorities instead of timestamps.
    public init(label: String, level: Logger.Level, journal: Bool = LineLogHandler.stderrIsJournal, sink: LineSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.sink = journal ? sink.journal() : sink
    }

    /// Whether stderr is connected to the systemd journal.
    public static var stderrIsJournal: Bool {
        ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        // Built as bytes: this runs once per request, so no Foundation formatting.
        var line: [UInt8] = []
        line.reserveCapacity(256)
        if sink.isJournal {
            line.append(UInt8(ascii: "<"))
            line.append(UInt8(ascii: "0") + UInt8(Self.priority(event.level)))
            line.append(UInt8(ascii: ">"))
        } else {
            Self.appendTimestamp(to: &line)
            line.append(UInt8(ascii: " "))
        }
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(UInt8(ascii: " "))
        Self.appendQuoted(event.message.description, to: &line)
        for key in merged.keys.sorted() {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            Self.appendQuoted(merged[key]!.description, to: &line)
        }
        line.append(0x0A)
        sink.write(line)
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Appends `value` as is, or in double quotes with `"`, `\\`, CR and LF
    /// escaped when it is empty or contains a space, quote, `=`, backslash or
    /// line break.
    static func appendQuoted(_ value: String, to line: inout [UInt8]) {
        let utf8 = value.utf8
        let needsQuotes = utf8.isEmpty || utf8.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            line.append(contentsOf: utf8)
            return
        }
        line.append(0x22)
        for byte in utf8 {
            switch byte {
            case 0x22: line.append(contentsOf: [0x5C, 0x22])
            case 0x5C: line.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: line.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: line.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            default: line.append(byte)
            }
        }
        line.append(0x22)
    }

    /// `2026-11-21T20:15:03.123Z`
    private static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); line.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); line.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1_000_000), 3); line.append(UInt8(ascii: "Z"))
    }
}

/// Where log lines go: a file descriptor, written whole with one `write(2)`
/// per line so concurrent lines never interleave.
public struct LineSink: Sendable {
    let fd: Int32
    let isJournal: Bool

    public static let standardError = LineSink(fd: 2, isJournal: false)

    /// A sink writing to `fd`.
    public static func descriptor(_ fd: Int32) -> LineSink { LineSink(fd: fd, isJournal: false) }

    func journal() -> LineSink { LineSink(fd: fd, isJournal: true) }

    func write(_ line: [UInt8]) {
        line.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
