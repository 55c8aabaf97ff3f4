import HookpipeSystemd
import Testing

struct WatchdogSettingsTests {
    @Test func pingsAtHalfTheTimeoutForThisProcess() throws {
        let settings = try #require(try WatchdogSettings(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], processID: 42))
        #expect(settings.timeout == .seconds(30))
        #expect(settings.pingInterval == .seconds(15))
    }

    @Test func appliesWithoutWatchdogPid() throws {
        let settings = try #require(try WatchdogSettings(environment: ["WATCHDOG_USEC": "1000"], processID: 42))
        #expect(settings.pingInterval == .microseconds(500))
    }

    @Test func isOffForAnotherProcess() throws {
        #expect(try WatchdogSettings(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"], processID: 42) == nil)
    }

    @Test(arguments: [[:], ["WATCHDOG_USEC": ""], ["WATCHDOG_PID": "42"]])
    func isOffWithoutWatchdogUsec(environment: [String: String]) throws {
        #expect(try WatchdogSettings(environment: environment, processID: 42) == nil)
    }

    @Test func defaultsToThisProcess() throws {
        let settings = try WatchdogSettings(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"])
        #expect(settings == nil)  // pid 1 is never the test process
    }

    @Test(arguments: [
        ["WATCHDOG_USEC": "0"], ["WATCHDOG_USEC": "-5"], ["WATCHDOG_USEC": "30s"], ["WATCHDOG_USEC": "18446744073709551615"],
        ["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "abc"], ["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "0"],
    ])
    func rejectsMalformedValues(environment: [String: String]) {
        let error = #expect(throws: SystemdError.self) { try WatchdogSettings(environment: environment, processID: 42) }
        #expect(error?.code == .invalidEnvironment)
        #expect(error?.call.hasPrefix("WATCHDOG_") == true)
    }
}
