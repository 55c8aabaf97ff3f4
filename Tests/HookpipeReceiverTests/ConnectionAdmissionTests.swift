@testable import HookpipeReceiver
import Testing

@Suite("ConnectionAdmission: at the limit, the oldest idle connection makes room")
struct ConnectionAdmissionTests {
    @Test("below the limit every connection is admitted and counted idle")
    func belowLimit() {
        var admission = ConnectionAdmission<Int>(limit: 3)
        #expect((1...3).map { admission.arrived($0) } == [.admit, .admit, .admit])
        #expect(admission.openCount == 3)
        #expect(admission.idleCount == 3)
    }

    @Test("at the limit the oldest idle connection is closed for the new one, oldest first")
    func oldestIdleFirst() {
        var admission = ConnectionAdmission<Int>(limit: 3)
        for id in 1...3 { _ = admission.arrived(id) }
        #expect(admission.arrived(4) == .admitClosing(1))
        #expect(admission.arrived(5) == .admitClosing(2))
        #expect(admission.openCount == 3)
        // The victims' closes arriving later change nothing.
        admission.closed(1)
        admission.closed(2)
        #expect(admission.openCount == 3)
    }

    @Test("a connection with a request in progress is never closed to make room; when all are busy, refuse")
    func busyIsKept() {
        var admission = ConnectionAdmission<Int>(limit: 2)
        _ = admission.arrived(1)
        _ = admission.arrived(2)
        admission.becameBusy(1)
        #expect(admission.arrived(3) == .admitClosing(2))
        admission.becameBusy(3)
        #expect(admission.arrived(4) == .refuse)
        #expect(admission.openCount == 2)
    }

    @Test("idle order follows when a connection went idle, not when it opened (keep-alive)")
    func idleAgainIsYoungest() {
        var admission = ConnectionAdmission<Int>(limit: 2)
        _ = admission.arrived(1)
        _ = admission.arrived(2)
        admission.becameBusy(1)
        admission.becameIdle(1)  // answered: idle again, now the most recently idle
        #expect(admission.arrived(3) == .admitClosing(2))
    }

    @Test("a closed connection frees its place; unknown ids are ignored")
    func closedFreesPlace() {
        var admission = ConnectionAdmission<Int>(limit: 1)
        _ = admission.arrived(1)
        admission.becameBusy(1)
        #expect(admission.arrived(2) == .refuse)
        admission.closed(1)
        #expect(admission.arrived(2) == .admit)
        admission.becameBusy(99)
        admission.becameIdle(99)
        #expect(admission.openCount == 1)
    }
}
