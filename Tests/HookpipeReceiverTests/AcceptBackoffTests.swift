import Glibc
@testable import HookpipeReceiver
import Testing

@Suite("AcceptBackoff: pause accepting when descriptors run out, never spin")
struct AcceptBackoffTests {
    @Test("out of descriptors: the pause doubles from the floor to the cap")
    func doubling() {
        var backoff = AcceptBackoff(floor: .milliseconds(50), cap: .milliseconds(400))
        let pauses = (0..<6).map { _ in backoff.failed(errno: EMFILE) }
        #expect(pauses == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(400), .milliseconds(400)])
    }

    @Test("an accepted connection starts the pauses over")
    func reset() {
        var backoff = AcceptBackoff(floor: .milliseconds(50), cap: .seconds(1))
        _ = backoff.failed(errno: ENFILE)
        _ = backoff.failed(errno: ENFILE)
        backoff.accepted()
        #expect(backoff.failed(errno: ENOBUFS) == .milliseconds(50))
    }

    @Test("errors that waiting cannot cure get no pause", arguments: [ECONNABORTED, EINVAL, EPERM])
    func otherErrors(code: Int32) {
        var backoff = AcceptBackoff()
        #expect(backoff.failed(errno: code) == nil)
        #expect(backoff.consecutiveFailures == 0)
    }
}
