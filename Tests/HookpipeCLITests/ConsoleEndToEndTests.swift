import Foundation
import Testing

/// The web console of the real binary, over loopback HTTP: pages, escaping,
/// the actions and their guards, credentials, the live tail. (The browser
/// drives the same pages in ConsoleBrowserTests.)
extension OperatorCLITests {
    @Suite("hookpipe console")
    struct ConsoleTests {
        let admin = AdminEndToEndTests()

        /// A session: the cookie from a page and the CSRF token of its forms.
        struct Session {
            var cookie: String
            var token: String

            init(page: LoopbackHTTP.Response) throws {
                let setCookie = try #require(page.headers["set-cookie"], "no session cookie")
                cookie = String(try #require(setCookie.split(separator: ";").first))
                let match = try #require(page.body.firstMatch(of: #/name="csrf" value="([0-9a-f]{64})"/#), "no CSRF token in the page")
                token = String(match.1)
            }
        }

        func post(_ port: Int, _ path: String, _ body: String, headers: [(String, String)] = []) throws -> LoopbackHTTP.Response {
            var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            return try LoopbackHTTP.exchange(port: port, Array((head + "\r\n" + body).utf8))
        }

        func deadLettered(_ daemon: DaemonEndToEndTests.Daemon) -> Int {
            daemon.stderr.snapshot().components(separatedBy: "event moved to the dead-letter store").count - 1
        }

        @Test("pages answer and show payloads as text; a replay needs the session's token and goes through the chain")
        func pagesAndReplay() throws {
            let workspace = try OperatorWorkspace.poisonous(extra: AdminEndToEndTests.admin)
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let port = try admin.adminPort(daemon)
            let xss = #"<script>alert(1)</script>\"><img src=x onerror=alert(2)>"#
            let sent = try workspace.hookpipe(["sign", "--source", "stripe", "--send",
                                               "--data", #"{"id":"evt_x","note":"\#(xss)"}"#])
            #expect(sent.stdout.contains(#""status":"accepted""#), "\(sent.stdout)\(sent.stderr)")
            #expect(workspace.waitFor { workspace.outputObjects().count == 1 })

            let overview = try LoopbackHTTP.get(port: port, "/console/")
            #expect(overview.status == 200)
            #expect(overview.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(overview.body.contains(#"<tr class="stage" data-name="picky">"#), "\(overview.body)")
            #expect(overview.body.contains(#"<tr data-source="stripe">"#))
            #expect(overview.body.contains(#"<td class="num accepted">1</td>"#))

            let event = try LoopbackHTTP.get(port: port, "/console/events/1")
            #expect(event.status == 200)
            #expect(event.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(event.body)")
            #expect(event.body.contains("&lt;img src=x onerror=alert(2)&gt;"))
            #expect(!event.body.contains("<script>alert"), "a payload reached the page unescaped")
            #expect(!event.body.contains("<img src=x"))
            // Written out, then settled once the checkpoint is saved (every 50 ms here).
            #expect(workspace.waitFor {
                (try? LoopbackHTTP.get(port: port, "/console/events/1"))?.body.contains(#"<dd id="position" class="outcome delivered">"#) == true
            })
            #expect(event.body.contains("<dt>Signed fields</dt><dd>timestamp, body</dd>"))
            let missing = try LoopbackHTTP.get(port: port, "/console/events/99")
            #expect(missing.status == 404)

            // No cookie, a wrong token, another origin: refused, nothing stored.
            let session = try Session(page: event)
            #expect(try post(port, "/console/events/1/replay", "csrf=\(session.token)").status == 403)
            #expect(try post(port, "/console/events/1/replay", "csrf=" + String(repeating: "0", count: 64),
                             headers: [("Cookie", session.cookie)]).status == 403)
            #expect(try post(port, "/console/events/1/replay", "csrf=\(session.token)",
                             headers: [("Cookie", session.cookie), ("Origin", "http://evil.example")]).status == 403)
            #expect(try post(port, "/console/events/1/replay", "csrf=\(session.token)",
                             headers: [("Cookie", session.cookie), ("Sec-Fetch-Site", "cross-site")]).status == 403)
            #expect(try LoopbackHTTP.get(port: port, "/console/events/1/replay").status == 405)
            #expect(workspace.outputObjects().count == 1)

            let replayed = try post(port, "/console/events/1/replay", "csrf=\(session.token)", headers: [("Cookie", session.cookie)])
            #expect(replayed.status == 303, "\(replayed.body)")
            #expect(replayed.headers["location"] == "/console/events/2?done=replayed&from=1&seq=2")
            #expect(workspace.waitFor { workspace.outputObjects().contains { has($0, "replay_of", "1") && has($0, "seq", "2") } })
            let copy = try LoopbackHTTP.get(port: port, "/console/events/2?done=replayed&from=1&seq=2")
            #expect(copy.body.contains("Replayed event 1: this is its copy, seq 2."))
            #expect(daemon.stderr.snapshot().contains(#""console action" console.action=replay console.actor="peer 127.0.0.1""#))
        }

        @Test("a dead letter is listed with its stage's stderr, retried and dropped from the console")
        func deadLetters() throws {
            let workspace = try OperatorWorkspace.poisonous(extra: AdminEndToEndTests.admin)
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let port = try admin.adminPort(daemon)
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: #"{"id":"bad1","poison":true}"# + "\n")
            #expect(workspace.waitFor(timeout: 60) { deadLettered(daemon) == 1 }, "daemon log:\n\(daemon.stderr.snapshot())")
            let list = try LoopbackHTTP.get(port: port, "/console/dead-letters")
            #expect(list.status == 200)
            #expect(list.body.contains(#"<tr id="letter-1" data-id="1">"#), "\(list.body)")
            #expect(list.body.contains("boom: cannot handle seq 1"))
            #expect(list.body.contains(#"<td class="reason">exit 3</td>"#))
            let event = try LoopbackHTTP.get(port: port, "/console/events/1")
            #expect(event.body.contains(#"class="outcome dead-lettered">dead-lettered by stage &quot;picky&quot; (letter 1): exit 3"#),
                    "\(event.body)")

            #expect(FileManager.default.createFile(atPath: workspace.directory + "/cured", contents: Data()))
            let session = try Session(page: list)
            let retried = try post(port, "/console/dead-letters/1/retry", "csrf=\(session.token)", headers: [("Cookie", session.cookie)])
            #expect(retried.status == 303, "\(retried.body)")
            #expect(retried.headers["location"] == "/console/dead-letters?done=retried&letter=1&seq=2")
            #expect(workspace.waitFor { workspace.outputObjects().contains { has($0, "id", "bad1") && has($0, "replay_of", "1") } })
            let after = try LoopbackHTTP.get(port: port, "/console/dead-letters?done=retried&letter=1&seq=2")
            #expect(after.body.contains(#"id="no-letters""#))
            #expect(after.body.contains("Dead letter 1 retried"))
            #expect(try post(port, "/console/dead-letters/1/retry", "csrf=\(session.token)",
                             headers: [("Cookie", session.cookie)]).status == 404)

            // The copy must be settled, not only written, before the stage turns picky
            // again: a stage restart re-feeds what is unsettled.
            #expect(workspace.waitFor {
                (try? LoopbackHTTP.get(port: port, "/console/events/2"))?.body.contains(#"class="outcome delivered""#) == true
            })
            try FileManager.default.removeItem(atPath: workspace.directory + "/cured")
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: #"{"id":"bad2","poison":true}"# + "\n")
            #expect(workspace.waitFor(timeout: 60) { deadLettered(daemon) == 2 }, "daemon log:\n\(daemon.stderr.snapshot())")
            let dropped = try post(port, "/console/dead-letters/2/drop", "csrf=\(session.token)", headers: [("Cookie", session.cookie)])
            #expect(dropped.status == 303)
            #expect(try workspace.hookpipe(["dlq", "list"]).stdout == "no dead letters\n")
            #expect(daemon.stderr.snapshot().contains(#"console.action=drop console.actor="peer 127.0.0.1" console.outcome=dropped dlq.id=2"#))
        }

        @Test("events: newest first, a page at a time to the end, filtered by source, id, time and outcome")
        func eventList() throws {
            let workspace = try OperatorWorkspace(stageExtra: AdminEndToEndTests.admin)
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let port = try admin.adminPort(daemon)
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: OperatorWorkspace.lines("s", 100))
            #expect(workspace.waitFor { workspace.outputObjects().count == 100 })
            let middle = Date()
            Thread.sleep(forTimeInterval: 0.05)
            _ = try workspace.hookpipe(["inject", "--source", "mercadopago"], stdin: OperatorWorkspace.lines("g", 20))
            #expect(workspace.waitFor { workspace.outputObjects().count == 120 })
            func seqs(_ body: String) -> [Int] {
                body.matches(of: #/<tr data-seq="(\d+)">/#).map { Int($0.1)! }
            }
            func older(_ body: String) -> String? {
                body.firstMatch(of: #/<a id="older" rel="next" href="([^"]+)">/#).map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
            }
            // Every event once, newest first, page by page.
            var seen: [Int] = []
            var next: String? = "/console/events"
            var pages = 0
            while let path = next, pages < 10 {
                let page = try LoopbackHTTP.get(port: port, path)
                #expect(page.status == 200)
                seen += seqs(page.body)
                next = older(page.body)
                pages += 1
            }
            #expect(seen == Array((1...120).reversed()), "\(seen)")
            #expect(pages == 3)
            let mercadopago = try LoopbackHTTP.get(port: port, "/console/events?source=mercadopago").body
            #expect(seqs(mercadopago) == Array((101...120).reversed()))
            #expect(mercadopago.contains(#"<option value="mercadopago" selected>mercadopago</option>"#))
            let one = try LoopbackHTTP.get(port: port, "/console/events?id=s42").body
            #expect(seqs(one) == [42])
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let stamp = formatter.string(from: middle)
            let before = try LoopbackHTTP.get(port: port, "/console/events?before=\(stamp)").body
            #expect(seqs(before).first == 100, "\(seqs(before))")
            // Settled once the checkpoint is saved: nothing pending, all delivered.
            #expect(workspace.waitFor {
                seqs((try? LoopbackHTTP.get(port: port, "/console/events?outcome=pending"))?.body ?? "x").isEmpty
            })
            #expect(seqs(try LoopbackHTTP.get(port: port, "/console/events?outcome=delivered&source=mercadopago").body).count == 20)
            let bad = try LoopbackHTTP.get(port: port, "/console/events?before=yesterday&source=nope")
            #expect(bad.status == 200 && bad.body.contains(#"id="problem""#))
        }

        @Test("the live tail streams each stored event as a Server-Sent Event")
        func liveTail() throws {
            let workspace = try OperatorWorkspace(stageExtra: AdminEndToEndTests.admin)
            defer { workspace.remove() }
            let daemon = try workspace.startDaemon()
            defer { _ = daemon.stop() }
            let port = try admin.adminPort(daemon)
            let fd = try LoopbackHTTP.connected(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let request = Array("GET /console/tail/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n".utf8)
            #expect(write(fd, request, request.count) == request.count)
            var received = ""
            func read(until marker: String) -> Bool {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let deadline = Date().addingTimeInterval(20)
                while !received.contains(marker) && Date() < deadline {
                    let count = Foundation.read(fd, &buffer, buffer.count)
                    guard count > 0 else { return false }
                    received += String(decoding: buffer[..<count], as: UTF8.self)
                }
                return received.contains(marker)
            }
            #expect(read(until: ": connected"), "\(received)")
            #expect(received.contains("content-type: text/event-stream"))
            _ = try workspace.hookpipe(["inject", "--source", "stripe"], stdin: #"{"id":"live1"}"# + "\n")
            #expect(read(until: #""id":"live1""#), "\(received)")
            #expect(received.contains("event: stored\nid: 1\ndata: {\"seq\":1,\"source\":\"stripe\",\"id\":\"live1\""))
        }

        @Test("credentials: a request for another host is refused without them; with them, basic or bearer")
        func credentials() throws {
            let open = try OperatorWorkspace(stageExtra: AdminEndToEndTests.admin + "console_actions = false\n")
            defer { open.remove() }
            let daemon = try open.startDaemon()
            let port = try admin.adminPort(daemon)
            // DNS rebinding: a page on evil.example resolving to 127.0.0.1.
            let rebound = try LoopbackHTTP.exchange(port: port, Array(
                "GET /console/ HTTP/1.1\r\nHost: evil.example:\(port)\r\nConnection: close\r\n\r\n".utf8))
            #expect(rebound.status == 421)
            #expect(try LoopbackHTTP.get(port: port, "/console/", extraHeaders: "").status == 200)
            // console_actions = false: no buttons, and the action is refused.
            _ = try open.hookpipe(["inject", "--source", "stripe"], stdin: #"{"id":"a1"}"# + "\n")
            #expect(open.waitFor { open.outputObjects().count == 1 })
            let page = try LoopbackHTTP.get(port: port, "/console/events/1")
            #expect(page.status == 200 && !page.body.contains(#"id="replay""#))
            #expect(try post(port, "/console/events/1/replay", "csrf=x").status == 403)
            _ = daemon.stop()

            let secured = try OperatorWorkspace(stageExtra: AdminEndToEndTests.admin + #"console_auth = "file:console.secret""# + "\n")
            defer { secured.remove() }
            try "ops:correct horse\n".write(toFile: secured.directory + "/console.secret", atomically: true, encoding: .utf8)
            let guarded = try secured.startDaemon()
            defer { _ = guarded.stop() }
            let securedPort = try admin.adminPort(guarded)
            let anonymous = try LoopbackHTTP.get(port: securedPort, "/console/")
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true)
            let good = Data("ops:correct horse".utf8).base64EncodedString()
            let bad = Data("ops:wrong".utf8).base64EncodedString()
            #expect(try LoopbackHTTP.get(port: securedPort, "/console/", extraHeaders: "Authorization: Basic \(good)\r\n").status == 200)
            #expect(try LoopbackHTTP.get(port: securedPort, "/console/", extraHeaders: "Authorization: Basic \(bad)\r\n").status == 401)
            // The other admin endpoints stay as they were.
            #expect(try LoopbackHTTP.get(port: securedPort, "/healthz").status == 200)
            #expect(!guarded.stderr.snapshot().contains("correct horse"))
        }

        @Test("an admin listener on a non-loopback address needs console_auth, or console = false")
        func exposedConsoleRefused() throws {
            let workspace = try OperatorWorkspace(stageExtra: "\n[admin]\nenabled = true\nhost = \"0.0.0.0\"\nport = 0\n")
            defer { workspace.remove() }
            let check = try workspace.hookpipe(["check"])
            #expect(check.status != 0)
            #expect(check.stderr.contains("console_auth"), "\(check.stderr)")
            #expect(check.stderr.contains(#"host "0.0.0.0" is not a loopback address"#), "\(check.stderr)")
            let off = try OperatorWorkspace(stageExtra: "\n[admin]\nenabled = true\nhost = \"0.0.0.0\"\nport = 0\nconsole = false\n")
            defer { off.remove() }
            #expect(try off.hookpipe(["check"]).status == 0)
        }
    }
}
