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
        var line = sink.isJournal ? "<\(Self.priority(event.level))>" : Self.timestamp() + " "
        line += "\(event.level) \(Self.quote(event.message.description))"
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quote(merged[key]!.description))"
        }
        line += "\n"
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

    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline || $0 == "\\" }
        guard needsQuotes else { return value }
        var escaped = "\""
        for character in value {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.append(character)
            }
        }
        return escaped + "\""
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_nsec / 1_000_000))
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

    func write(_ line: String) {
        var line = line
        line.withUTF8 { buffer in
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
