import HookpipeRecovery
import HookpipeJSON
import HookpipeOperations
import HookpipeStore
import Testing

@Suite("DeadLetterDesk")
struct DeadLetterDeskTests {
    func letter(seq: Int64, line: [UInt8]) -> DeadLetter {
        DeadLetter(seq: seq, stage: "picky", reason: "exit 3", stderrTail: ["boom"], line: line, createdAtMicros: 0)
    }

    @Test("retry appends a copy of the stored event and deletes the letter; drop deletes; unknown ids are not found")
    func retryAndDrop() async throws {
        let temporary = try TemporaryStore()
        let seq = try await temporary.add("evt_1")
        let desk = DeadLetterDesk(store: temporary.store)
        let first = try await temporary.store.addDeadLetter(letter(seq: seq, line: Array("{}".utf8)))
        let second = try await temporary.store.addDeadLetter(letter(seq: seq, line: Array("{}".utf8)))
        #expect(try await desk.all().map(\.id) == [first, second])
        let retry = try await desk.retry(try await desk.letter(first), run: "r", nowMicros: 5)
        #expect(retry == DeadLetterDesk.Retry(letter: first, originalSeq: seq, seq: 2, fromLine: false))
        let copy = try #require(try await temporary.store.event(seq: 2))
        #expect(copy.payload == Array(#"{"id":"evt_1"}"#.utf8))
        #expect(try JSONDocument.parse(copy.metadata).get().scalarText(at: "/replay_of") == String(seq))
        try await desk.drop(second)
        #expect(try await desk.all().isEmpty)
        await #expect(throws: OperationError.self) { try await desk.drop(second) }
        await #expect(throws: OperationError.self) { _ = try await desk.letter(first) }
        await temporary.remove()
    }

    @Test("a letter is retried at most once: a retry after a drop, or racing another retry, changes nothing")
    func retriedOnce() async throws {
        let temporary = try TemporaryStore()
        let seq = try await temporary.add("evt_1")
        let desk = DeadLetterDesk(store: temporary.store)
        let dropped = try await desk.letter(try await temporary.store.addDeadLetter(letter(seq: seq, line: Array("{}".utf8))))
        try await desk.drop(dropped.id)
        do {
            _ = try await desk.retry(dropped, run: "late", nowMicros: 5)
            Issue.record("expected the retry of a dropped letter to be refused")
        } catch {
            #expect(error.code == .notFound)
        }
        #expect(try await temporary.store.lastSequence() == seq)

        let contested = try await desk.letter(try await temporary.store.addDeadLetter(letter(seq: seq, line: Array("{}".utf8))))
        let results = await withTaskGroup(of: Result<DeadLetterDesk.Retry, OperationError>.self) { group in
            for index in 0..<8 {
                group.addTask {
                    do throws(OperationError) {
                        return .success(try await desk.retry(contested, run: "run\(index)", nowMicros: 5))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let copies = results.compactMap { try? $0.get() }
        #expect(copies.count == 1)
        #expect(results.filter { if case .failure(let error) = $0 { error.code == .notFound } else { false } }.count == 7)
        #expect(try await temporary.store.lastSequence() == seq + 1)
        #expect(try await desk.all().isEmpty)
        await temporary.remove()
    }

    @Test("when the event is gone, a first-stage letter is rebuilt from its line; another is refused and kept")
    func originalGone() async throws {
        let temporary = try TemporaryStore()
        let desk = DeadLetterDesk(store: temporary.store)
        let metadata = Array(#"{"id":"evt_9","source":"stripe"}"#.utf8)
        let payload = Array(#"{"amount":0.1}"#.utf8)
        // Sequence numbers 40 and 41 were never stored here: as if pruned by an older version.
        let envelope = try await temporary.store.addDeadLetter(letter(seq: 40, line: Envelope.line(seq: 40, metadata: metadata, payload: payload)))
        let rewritten = try await temporary.store.addDeadLetter(letter(seq: 41, line: Array(#"{"seq":41,"normalized":{}}"#.utf8)))
        let retry = try await desk.retry(try await desk.letter(envelope), run: "r", nowMicros: 5)
        #expect(retry.fromLine)
        let copySeq = try #require(retry.seq)
        let copy = try #require(try await temporary.store.event(seq: copySeq))
        #expect(copy.source == "stripe")
        #expect(copy.payload == payload)
        #expect(String(decoding: copy.metadata, as: UTF8.self) == #"{"id":"evt_9","source":"stripe","replay_of":40}"#)
        do {
            _ = try await desk.retry(try await desk.letter(rewritten), run: "r", nowMicros: 5)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.code == .cannotRetry)
            #expect(error.message.contains("event seq 41 is no longer stored"))
        }
        #expect(try await desk.all().map(\.id) == [rewritten])
        #expect(try await temporary.store.lastSequence() == retry.seq)
        await temporary.remove()
    }

    @Test("rendering: table, detail and JSON with the line spliced in")
    func rendering() throws {
        var letter = letter(seq: 17, line: Array(#"{"seq":17,"payload":{"amount":0.1}}"#.utf8))
        letter.id = 3
        #expect(DeadLetter.table([letter]) == "ID  SEQ  STAGE  CREATED                      REASON\n3   17   picky  1970-01-01T00:00:00.000000Z  exit 3\n")
        #expect(letter.detail.contains("stderr (last 1 line):\n  boom\n"))
        #expect(letter.detail.hasSuffix("line given to the stage:\n  {\"seq\":17,\"payload\":{\"amount\":0.1}}\n"))
        #expect(String(decoding: letter.json, as: UTF8.self)
            == #"{"id":3,"seq":17,"stage":"picky","reason":"exit 3","created_at":"1970-01-01T00:00:00.000000Z","stderr_tail":["boom"],"line":{"seq":17,"payload":{"amount":0.1}}}"#)
    }
}
