import HookpipeStore
import HookpipeTelemetry
@testable import HookpipeConsole
import Testing

@Suite("console views and templates")
struct ConsoleViewsTests {
    @Test("no template prints a value unescaped")
    func templatesEscape() throws {
        #expect(ConsoleRenderer.templates.count == 8)
        for (name, bytes) in ConsoleRenderer.templates {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) uses an unescaped tag")
            #expect(!text.contains("<script>") && !text.contains("style="), "\(name) has inline script or style (the CSP forbids them)")
        }
    }

    @Test("a payload, an id and stderr lines render as text")
    func rendersText() throws {
        let renderer = try ConsoleRenderer()
        let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>'"#
        let frame = ConsoleViews.Frame(title: hostile, page: "event", nav: .init(events: true), backend: "sqlite", flash: nil,
                                       generatedAt: "now")
        let view = ConsoleViews.Event(frame: frame, seq: 7, source: "stripe", id: hostile, received: "t", bytes: 3, outcome: "pending",
                                      position: hostile, verified: nil, hasDeadLetters: true,
                                      deadLetters: [.init(id: 1, seq: 7, stage: hostile, reason: "exit 3", created: "t", hasStderr: true,
                                                          stderr: [hostile])],
                                      actions: .init(csrf: "abc"), envelope: hostile)
        let html = renderer.render(view, "event")
        #expect(!html.contains("<script>alert") && !html.contains("<img src=x"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;"))
        #expect(html.contains(#"<pre id="envelope" class="json">&lt;script&gt;"#))
        #expect(html.contains(#"<input type="hidden" name="csrf" value="abc">"#))
        #expect(html.contains(#"<a href="/console/events" aria-current="page">Events</a>"#))
        #expect(!renderer.render(view, "event").contains("template event is missing"))
    }

    @Test("chart bars: one per minute, scaled to the busiest, refused stacked on accepted, never hidden when non-zero")
    func bars() {
        var minutes = Array(repeating: ActivityBuckets.Count(), count: 60)
        minutes[59] = .init(accepted: 100, refused: 0)
        minutes[58] = .init(accepted: 50, refused: 50)
        minutes[0] = .init(accepted: 1, refused: 0)
        let bars = ConsoleViews.bars(minutes)
        #expect(bars.count == 60)
        #expect(bars[59] == .init(x: 295, acceptedY: 0, acceptedHeight: 40, refusedY: 0, refusedHeight: 0,
                                  tip: "this minute: 100 accepted, 0 refused"))
        #expect(bars[58].acceptedHeight == 20 && bars[58].refusedHeight == 20 && bars[58].refusedY == 0)
        #expect(bars[58].tip == "1 minute ago: 50 accepted, 50 refused")
        #expect(bars[0].acceptedHeight == 1 && bars[0].tip.hasPrefix("59 minutes ago"))
        #expect(bars[1].acceptedHeight == 0 && bars[1].refusedHeight == 0 && bars[1].acceptedY == 40)
        #expect(ConsoleViews.bars(Array(repeating: .init(), count: 3)).allSatisfy { $0.acceptedHeight == 0 })
    }

    @Test("an event's outcome and position follow the checkpoint, the chain's feed and its dead letters")
    func positions() {
        #expect(ConsoleViews.outcome(seq: 5, deadLettered: false, checkpoint: 5) == "delivered")
        #expect(ConsoleViews.outcome(seq: 6, deadLettered: false, checkpoint: 5) == "pending")
        #expect(ConsoleViews.outcome(seq: 4, deadLettered: true, checkpoint: 5) == "dead-lettered")
        #expect(ConsoleViews.outcome(seq: 4, deadLettered: false, checkpoint: nil) == "stored")
        let letter = DeadLetter(id: 3, seq: 9, stage: "bill", reason: "exit 2", stderrTail: [], line: [], createdAtMicros: 0)
        #expect(ConsoleViews.position(seq: 9, letters: [letter], checkpoint: 20, fed: 20, holder: nil)
                == #"dead-lettered by stage "bill" (letter 3): exit 2"#)
        #expect(ConsoleViews.position(seq: 9, letters: [], checkpoint: 9, fed: 12, holder: nil).hasPrefix("delivered"))
        #expect(ConsoleViews.position(seq: 11, letters: [], checkpoint: 9, fed: 12, holder: nil).hasPrefix("in flight"))
        #expect(ConsoleViews.position(seq: 11, letters: [], checkpoint: 9, fed: 9, holder: nil)
                == "pending: 1 event ahead of it (checkpoint 9)")
        #expect(ConsoleViews.position(seq: 13, letters: [], checkpoint: 9, fed: nil, holder: "node-b")
                == "pending: 3 events ahead of it (checkpoint 9); the chain runs on node node-b")
        #expect(ConsoleViews.position(seq: 1, letters: [], checkpoint: nil, fed: nil, holder: nil) == "stored; no chain is configured")
    }

    @Test("the message after an action is built from known words and numbers only")
    func flash() {
        #expect(ConsoleViews.flash(done: "replayed", fields: ["from": "3", "seq": "9"])?.message == "Replayed event 3: this is its copy, seq 9.")
        #expect(ConsoleViews.flash(done: "dropped", fields: ["letter": "4"]) == .init(kind: "done", message: "Dead letter 4 dropped."))
        #expect(ConsoleViews.flash(done: "dropped", fields: ["letter": "<b>"]) == nil)
        #expect(ConsoleViews.flash(done: "<script>", fields: [:]) == nil)
        #expect(ConsoleViews.flash(done: nil, fields: ["letter": "4"]) == nil)
    }
}
