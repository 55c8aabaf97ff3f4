import Glibc
import HookpipeSystemd
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SystemdNotifierTests {
    /// Sends every kind of notification to `receiver` and checks each datagram.
    private func expectProtocol(at receiver: DatagramReceiver) throws {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        #expect(notifier.isEnabled)
        #expect(notifier.address?.description == receiver.address)

        #expect(try notifier.ready())
        #expect(receiver.receive() == "READY=1")
        #expect(try notifier.status("recovered 12 events\nlistening on 127.0.0.1:8080\r"))
        #expect(receiver.receive() == "STATUS=recovered 12 events listening on 127.0.0.1:8080 ")
        #expect(try notifier.watchdog())
        #expect(receiver.receive() == "WATCHDOG=1")
        #expect(try notifier.stopping())
        #expect(receiver.receive() == "STOPPING=1")
        #expect(try notifier.reloading(monotonicMicros: 123_456_789))
        #expect(receiver.receive() == "RELOADING=1\nMONOTONIC_USEC=123456789")
        #expect(try notifier.extendTimeout(by: .milliseconds(2500)))
        #expect(receiver.receive() == "EXTEND_TIMEOUT_USEC=2500000")
        #expect(try notifier.send([("MAINPID", "42"), ("STATUS", "a=b")]))
        #expect(receiver.receive() == "MAINPID=42\nSTATUS=a=b")
        #expect(receiver.receive(timeout: .milliseconds(50)) == nil)  // exactly one datagram each
    }

    @Test func sendsEachNotificationAsOneDatagramToAPathSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try expectProtocol(at: DatagramReceiver(address: directory.path + "/notify"))
    }

    @Test func sendsToAnAbstractSocket() throws {
        try expectProtocol(at: DatagramReceiver(address: "@hookpipe-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"))
    }

    @Test func reloadingDefaultsToTheMonotonicClock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try DatagramReceiver(address: directory.path + "/notify")
        let before = SystemdNotifier.monotonicMicros()
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address]).reloading()
        let after = SystemdNotifier.monotonicMicros()
        let lines = try #require(receiver.receive()).split(separator: "\n")
        #expect(lines.first == "RELOADING=1")
        let micros = try #require(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        #expect(before <= micros && micros <= after)
    }

    @Test(arguments: [[:], ["NOTIFY_SOCKET": ""]])
    func doesNothingWithoutNotifySocket(environment: [String: String]) throws {
        let notifier = SystemdNotifier(environment: environment)
        #expect(!notifier.isEnabled)
        #expect(try notifier.ready() == false)
        #expect(try notifier.status("x") == false)
        #expect(try notifier.watchdog() == false)
        #expect(try notifier.stopping() == false)
        #expect(try notifier.reloading() == false)
        #expect(try notifier.send([("READY", "1")]) == false)
    }

    @Test func reportsAnAbsentListenerAsAFailedSendto() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": directory.path + "/nobody"])
        let error = #expect(throws: SystemdError.self) { try notifier.ready() }
        #expect(error?.code == .systemCallFailed)
        #expect(error?.call == "sendto")
        #expect(error?.errno == ENOENT)
        #expect(error?.description == "sendto(2) on \(directory.path)/nobody (READY=1): No such file or directory")
    }

    @Test func reportsAMalformedNotifySocketOnSend() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/notify"])
        #expect(notifier.isEnabled)
        #expect(notifier.address == nil)
        let error = #expect(throws: SystemdError.self) { try notifier.ready() }
        #expect(error?.code == .invalidEnvironment)
        #expect(error?.call == "NOTIFY_SOCKET")
    }

    @Test(arguments: ["", "A=B", "A\nB"])
    func rejectsFieldNamesTheProtocolCannotCarry(key: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try DatagramReceiver(address: directory.path + "/notify")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        let error = #expect(throws: SystemdError.self) { try notifier.send([(key, "1")]) }
        #expect(error?.code == .invalidField)
        #expect(receiver.receive(timeout: .milliseconds(50)) == nil)
    }

    @Test func isUsableFromManyTasksAtOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try DatagramReceiver(address: directory.path + "/notify")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {  // below net.unix.max_dgram_qlen (10): nobody reads until all are sent
                group.addTask { try notifier.status("task \(index)") }
            }
            try await group.waitForAll()
        }
        var received: Set<String> = []
        while let datagram = receiver.receive(timeout: .milliseconds(200)) { received.insert(datagram) }
        #expect(received == Set((0..<8).map { "STATUS=task \($0)" }))
    }
}
