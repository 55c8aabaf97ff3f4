import Foundation
import HookpipeSync
import Testing

@Suite("Thread names")
struct NamedThreadTests {
    @Test("names fit in 15 bytes, the cut comes out of the name and never splits a character")
    func fitting() {
        #expect(kernelThreadName("store-writer") == "store-writer")
        #expect(kernelThreadName("chain-feeder", suffix: "") == "chain-feeder")
        #expect(kernelThreadName("payments", suffix: "-out") == "payments-out")
        #expect(kernelThreadName("a-very-long-stage-name", suffix: "-wait") == "a-very-lon-wait")
        #expect(kernelThreadName("a-very-long-stage-name", suffix: "-wait").utf8.count == 15)
        // "é" is two bytes: 6 of them fill 12, a seventh would make 14 + "-in" = 17.
        #expect(kernelThreadName("éééééééé", suffix: "-in") == "éééééé-in")
        #expect(kernelThreadName("x", suffix: "-a-suffix-longer-than-15") == "-a-suffix-longe")
        #expect(kernelThreadName("", suffix: "") == "")
    }

    @Test("the kernel sees the started thread under its fitted name")
    func kernelName() async {
        let seen = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            startThread(named: "a-very-long-stage-name", suffix: "-out") {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable"
                continuation.resume(returning: comm.trimmingCharacters(in: .newlines))
            }
        }
        #expect(seen == "a-very-long-out")
    }
}
