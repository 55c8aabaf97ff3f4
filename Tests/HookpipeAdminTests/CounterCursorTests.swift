@testable import HookpipeAdmin
import Testing

@Suite("CounterCursor")
struct CounterCursorTests {
    @Test("each sample yields what the total grew since the previous one")
    func deltas() {
        var cursor = CounterCursor()
        #expect(cursor.advance(to: 0) == 0)
        #expect(cursor.advance(to: 5) == 5)
        #expect(cursor.advance(to: 5) == 0)
        #expect(cursor.advance(to: 12) == 7)
        #expect(cursor.last == 12)
    }

    @Test("a total that went down started over: all of it is new")
    func reset() {
        var cursor = CounterCursor()
        _ = cursor.advance(to: 100)
        #expect(cursor.advance(to: 3) == 3)
        #expect(cursor.advance(to: 4) == 1)
    }
}
