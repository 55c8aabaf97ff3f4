import Foundation
import HookpipeStore
import HookpipeSync

/// A real store with a switch that makes appends fail, as a full or broken
/// disk would, without touching the disk.
final class FaultInjectingStore: EventStore {
    let wrapped: any EventStore
    /// When set, every append fails with this error.
    let failing = Locked<StoreError?>(nil)
    /// When set, the next callback append reports its (real) outcome only after this long.
    let delayNext = Locked<DispatchTimeInterval?>(nil)

    init(wrapping wrapped: any EventStore) {
        self.wrapped = wrapped
    }

    func append(_ event: IncomingEvent) async throws(StoreError) -> AppendOutcome {
        if let error = failing.withLock({ $0 }) { throw error }
        return try await wrapped.append(event)
    }

    /// The receiver's path, kept off the cooperative thread pool like the real
    /// store's: the protocol's default starts a `Task`, which waited behind
    /// other tests' blocking work under ThreadSanitizer until the client gave up.
    func append(_ event: IncomingEvent, completion: @escaping @Sendable (Result<AppendOutcome, StoreError>) -> Void) {
        if let error = failing.withLock({ $0 }) {
            completion(.failure(error))
            return
        }
        guard let delay = delayNext.withLock({ value in defer { value = nil }; return value }) else {
            wrapped.append(event, completion: completion)
            return
        }
        wrapped.append(event) { result in
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                completion(result)
            }
        }
    }

    func events(after: Int64, limit: Int) async throws(StoreError) -> [StoredEvent] {
        try await wrapped.events(after: after, limit: limit)
    }

    func lastSequence() async throws(StoreError) -> Int64 {
        try await wrapped.lastSequence()
    }

    func checkpoint(_ consumer: String) async throws(StoreError) -> Int64 {
        try await wrapped.checkpoint(consumer)
    }

    func saveCheckpoint(_ consumer: String, seq: Int64) async throws(StoreError) {
        try await wrapped.saveCheckpoint(consumer, seq: seq)
    }

    func addDeadLetter(_ letter: DeadLetter) async throws(StoreError) -> Int64 {
        try await wrapped.addDeadLetter(letter)
    }

    func deadLetters(limit: Int) async throws(StoreError) -> [DeadLetter] {
        try await wrapped.deadLetters(limit: limit)
    }

    func prune(receivedBefore cutoffMicros: Int64, upTo seq: Int64) async throws(StoreError) -> Int {
        try await wrapped.prune(receivedBefore: cutoffMicros, upTo: seq)
    }

    func append(_ event: IncomingEvent, replacingDeadLetter id: Int64) async throws(StoreError) -> AppendOutcome? {
        try await wrapped.append(event, replacingDeadLetter: id)
    }

    func observeAppends(_ observer: @escaping @Sendable ([StoredEvent]) -> Void) {
        wrapped.observeAppends(observer)
    }

    func checkIntegrity() async throws(StoreError) -> [String] {
        try await wrapped.checkIntegrity()
    }

    func close() async {
        await wrapped.close()
    }

    func appendEach(_ events: [IncomingEvent]) async -> [Result<AppendOutcome, StoreError>] {
        if let error = failing.withLock({ $0 }) { return events.map { _ in .failure(error) } }
        return await wrapped.appendEach(events)
    }

    func events(matching filter: EventFilter, limit: Int, newestFirst: Bool) async throws(StoreError) -> [StoredEvent] {
        try await wrapped.events(matching: filter, limit: limit, newestFirst: newestFirst)
    }

    func event(seq: Int64) async throws(StoreError) -> StoredEvent? {
        try await wrapped.event(seq: seq)
    }

    func deadLetters(after id: Int64, limit: Int) async throws(StoreError) -> [DeadLetter] {
        try await wrapped.deadLetters(after: id, limit: limit)
    }

    func deadLetter(id: Int64) async throws(StoreError) -> DeadLetter? {
        try await wrapped.deadLetter(id: id)
    }

    func deadLetterCount() async throws(StoreError) -> Int {
        try await wrapped.deadLetterCount()
    }

    func deleteDeadLetter(id: Int64) async throws(StoreError) -> Bool {
        try await wrapped.deleteDeadLetter(id: id)
    }
}
