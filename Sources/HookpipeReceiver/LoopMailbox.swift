import NIOCore
import HookpipeSync

/// Work handed to one event loop from other threads (the store's writer),
/// run there in batches.
///
/// A group commit completes dozens of requests at once. Scheduling each
/// answer with its own `EventLoop.execute` (or promise) costs a lock and a
/// wake-up of the loop per request; the mailbox schedules one drain for
/// whatever arrived since the last one.
final class LoopMailbox: Sendable {
    private let eventLoop: any EventLoop
    private let pending = Locked<[@Sendable () -> Void]>([])

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `work` on the event loop, after the work enqueued before it.
    func enqueue(_ work: @escaping @Sendable () -> Void) {
        let isFirst = pending.withLock { queue in
            queue.append(work)
            return queue.count == 1
        }
        if isFirst {
            eventLoop.execute { self.drain() }
        }
    }

    private func drain() {
        let batch = pending.withLock { queue in
            var taken: [@Sendable () -> Void] = []
            swap(&taken, &queue)
            return taken
        }
        for work in batch { work() }
    }
}

/// One ``LoopMailbox`` per event loop of a group, made on first use.
final class LoopMailboxes: Sendable {
    private let boxes = Locked<[ObjectIdentifier: LoopMailbox]>([:])

    /// The mailbox of `eventLoop` (looked up once per connection).
    func mailbox(for eventLoop: any EventLoop) -> LoopMailbox {
        boxes.withLock { boxes in
            let key = ObjectIdentifier(eventLoop)
            if let box = boxes[key] { return box }
            let box = LoopMailbox(eventLoop: eventLoop)
            boxes[key] = box
            return box
        }
    }
}
