import Foundation
import Testing

/// The web console in a real browser: `proof/console_browser.py` drives
/// Debian's headless Chromium through chromium-driver and Selenium against
/// the daemon built for these tests (every page, filters and paging, an
/// event, retry, drop and replay, the live tail, payloads holding `<script>`
/// and `<img onerror>` shown as text, refused cross-origin POSTs).
///
/// Plain suite only, like the other proof harnesses (``plainSuite``): a
/// browser under a sanitized daemon tests timing, not memory.
///
/// Chromium, chromium-driver and Selenium come from `scripts/install-deps.sh`.
/// Where they are missing the test fails as root or under CI (where
/// install-deps ran, so a missing tool is a broken install), and is skipped,
/// with the reason printed, for a developer who is neither.
/// `HOOKPIPE_CONSOLE_SCREENSHOTS=docs/console` makes the run save the
/// screenshots in docs/console/ (the script reads it; the suite leaves the
/// checkout alone otherwise).
@Suite("web console in a real browser", .enabled(if: plainSuite), .timeLimit(.minutes(10)))
struct ConsoleBrowserTests {
    static let python = "/usr/bin/env"

    /// Whether the browser tools are all here (the script's own check, `--check-tools`).
    static func toolsPresent() -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["python3", ProofTests.proof + "/console_browser.py", "--check-tools"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Root or CI: the tools must be there, so the test runs (and fails without them).
    static let mustRun = geteuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil

    @Test("every console page in headless Chromium: filters, paging, retry, drop, replay, live tail, XSS payloads shown as text, cross-origin POSTs refused",
          .enabled("needs chromium, chromium-driver and selenium (scripts/install-deps.sh); skipped without them unless root or CI") {
              ConsoleBrowserTests.mustRun || ConsoleBrowserTests.toolsPresent()
          })
    func walkThroughTheConsole() async throws {
        // ProofTests.run waits for the script on a thread of its own, not the
        // cooperative pool: the walk takes 30-100 s, and a pool thread held
        // that long starved the suite's async tests (TailerTests failed so in
        // a whole-suite run).
        let (status, results) = try await ProofTests.run("console_browser.py", [], timeout: 480)
        let summary = Summary(status: status, result: results.first)
        if let missing = summary.missing {
            Issue.record("missing \(missing): run scripts/install-deps.sh (apt: chromium chromium-driver; pip: selenium)")
            return
        }
        #expect(summary.status == 0, "\(summary.text)")
        #expect(summary.ok, "failures: \(summary.failures)\n\(summary.daemonLog)")
        #expect(summary.failureCount == 0)
        #expect(summary.checks >= 60, "\(summary.text)")
        #expect(summary.eventPages > 1, "\(summary.text)")
    }

    /// What the test reads of the script's JSON result, as Sendable values.
    struct Summary: Sendable {
        var status: Int32
        var text: String
        var missing: String?
        var ok: Bool
        var failures: String
        var failureCount: Int?
        var checks: Int
        var eventPages: Int
        var daemonLog: String

        init(status: Int32, result: [String: Any]?) {
            self.status = status
            let result = result ?? [:]
            text = "\(result)"
            missing = (result["missing"] as? [String])?.joined(separator: ", ")
            ok = result["ok"] as? Bool == true
            failures = "\(result["failures"] ?? "?")"
            failureCount = (result["failures"] as? [Any])?.count
            checks = result["checks"] as? Int ?? 0
            eventPages = result["event_pages"] as? Int ?? 0
            daemonLog = "\(result["daemon_log"] ?? "")"
        }
    }
}
