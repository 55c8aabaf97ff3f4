import HookpipeSync
import HookpipeTelemetry
import Logging
import NIOCore

/// A log line for an event that may repeat thousands of times a second:
/// written at most once per interval, with `count` (how many happened since
/// the previous line) and `interval` in its metadata. Decided by
/// ``LogThrottle``; a burst that stops is flushed by a task on the event
/// loop that saw it.
final class ThrottledWarning: Sendable {
    private let message: Logger.Message
    private let level: Logger.Level
    private let metadata: Logger.Metadata
    private let logger: Logger
    private let throttle: Locked<LogThrottle<ContinuousClock>>

    init(_ message: Logger.Message, interval: Duration, metadata: Logger.Metadata = [:], logger: Logger,
         level: Logger.Level = .warning) {
        self.message = message
        self.level = level
        self.metadata = metadata
        self.logger = logger
        throttle = Locked(LogThrottle(interval: interval))
    }

    /// Occurrences counted and not logged yet.
    var suppressed: Int { throttle.withLock { $0.suppressed } }

    /// Records one occurrence; `extra` is logged with the line this occurrence starts, if it does.
    func record(on eventLoop: any EventLoop, _ extra: Logger.Metadata = [:]) {
        let action = throttle.withLock { $0.record(at: .now) }
        switch action {
        case .log(let count):
            write(count: count, extra)
        case .suppress:
            break
        case .suppressAndFlush(let delay):
            eventLoop.scheduleTask(in: TimeAmount(delay)) { [self] in
                if let count = throttle.withLock({ $0.flush(at: .now) }) { write(count: count, [:]) }
            }
        }
    }

    private func write(count: Int, _ extra: Logger.Metadata) {
        var metadata = self.metadata.merging(extra) { _, new in new }
        metadata["count"] = "\(count)"
        metadata["interval"] = "\(throttle.withLock { $0.interval })"
        logger.log(level: level, message, metadata: metadata)
    }
}
