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
    func walkThroughTheConsole() throws {
        let (status, results) = try ProofTests.run("console_browser.py", [], timeout: 480)
        let result = try #require(results.first)
        if let missing = result["missing"] as? [String] {
            Issue.record("missing \(missing.joined(separator: ", ")): run scripts/install-deps.sh (apt: chromium chromium-driver; pip: selenium)")
            return
        }
        #expect(status == 0, "\(result)")
        #expect(result["ok"] as? Bool == true, "failures: \(result["failures"] ?? "?")\n\(result["daemon_log"] ?? "")")
        #expect((result["failures"] as? [Any])?.isEmpty == true)
        #expect((result["checks"] as? Int ?? 0) >= 60, "\(result)")
        #expect((result["event_pages"] as? Int ?? 0) > 1, "\(result)")
    }
}
