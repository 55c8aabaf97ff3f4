public import HookpipeChain
public import HookpipeStore
public import HookpipeTelemetry
public import Logging
import Foundation
import HookpipeJSON
import HookpipeRecovery
import HookpipeSync

/// The web console: pages about what arrived, the chain and the dead
/// letters, and the actions an operator takes on them (replay, retry,
/// drop), served by the admin listener under `/console/`.
///
/// Every request passes ``ConsoleGate`` first. Pages read the store through
/// bounded queries, each under ``storeTimeout`` (a page says what it could
/// not read instead of hanging); nothing here runs on the receiver's path.
public final class Console: Sendable {
    /// From `[admin]`.
    public struct Settings: Sendable {
        /// Whether replay, retry and drop are offered.
        public var actions: Bool
        /// The resolved `console_auth` secret; `nil`: loopback only, no credentials.
        public var credentials: String?

        public init(actions: Bool, credentials: String?) {
            self.actions = actions
            self.credentials = credentials
        }
    }

    /// What the daemon runs now (it changes on reload); read for each page.
    public struct Context: Sendable {
        /// The configured sources' names.
        public var sources: [String]
        /// Whether `[[stage]]`s are configured (on PostgreSQL the chain may run on another node).
        public var chainConfigured: Bool
        /// The store, as the daemon's logs name it (no password).
        public var backend: String

        public init(sources: [String], chainConfigured: Bool, backend: String) {
            self.sources = sources
            self.chainConfigured = chainConfigured
            self.backend = backend
        }
    }

    let store: any EventStore
    let runner: @Sendable () -> ChainRunner?
    let context: @Sendable () -> Context
    let storeDamage: @Sendable () -> [String]
    let activity: RequestActivity
    let logger: Logger
    let storeTimeout: Duration
    let gate: ConsoleGate
    let renderer: ConsoleRenderer
    let tail: TailHub

    /// - Parameters:
    ///   - runner: the chain's runner on this node, when it runs here.
    ///   - storeDamage: what the start-up integrity check found wrong.
    ///   - activity: requests per source and minute (the overview's chart).
    public init(settings: Settings, store: any EventStore, runner: @escaping @Sendable () -> ChainRunner?,
                context: @escaping @Sendable () -> Context, storeDamage: @escaping @Sendable () -> [String],
                activity: RequestActivity, logger: Logger, storeTimeout: Duration = .seconds(2)) throws {
        self.store = store
        self.runner = runner
        self.context = context
        self.storeDamage = storeDamage
        self.activity = activity
        self.logger = logger
        self.storeTimeout = storeTimeout
        gate = ConsoleGate(credentials: settings.credentials.map(ConsoleCredentials.init(secret:)), actionsEnabled: settings.actions,
                           csrf: CSRFGuard())
        renderer = try ConsoleRenderer()
        tail = TailHub(store: store, logger: logger)
    }

    /// Whether `path` (without query) is the console's.
    public static func owns(path: Substring) -> Bool {
        ConsoleRoute.owns(path)
    }

    /// Whether the request opens the live tail's event stream (answered by ``openTail(_:send:)``).
    public static func isTailStream(_ request: ConsoleRequest) -> Bool {
        ConsoleRoute.decide(method: request.method, path: request.path) == .serve(.tailStream)
    }

    /// The answer to `request`.
    public func respond(to request: ConsoleRequest) async -> ConsoleResponse {
        let route: ConsoleRoute
        switch ConsoleRoute.decide(method: request.method, path: request.path) {
        case .serve(let chosen): route = chosen
        case .redirect(let location): return .seeOther(location)
        case .notFound: return .text(404, "not found: the console's pages are under /console/")
        case .methodNotAllowed(let allow):
            var response = ConsoleResponse.text(405, "method not allowed: use \(allow)")
            response.headers.append(.init(name: "allow", value: allow))
            return response
        }
        if case .asset(let asset) = route {
            return ConsoleResponse(status: 200, contentType: asset.contentType, body: renderer.asset(asset),
                                   headers: ConsoleResponse.securityHeaders)
        }
        let bodyFields = route.isAction ? FormFields.parse(Substring(decoding: request.body, as: UTF8.self)) ?? [:] : [:]
        let actor: String
        switch gate.decide(request, route: route, form: bodyFields) {
        case .refuse(let response): return response
        case .proceed(let who): actor = who
        }
        // Each browser gets a session for its forms' CSRF tokens.
        let existing = CSRFGuard.session(cookieHeader: request.header("cookie"))
        let session = existing ?? CSRFGuard.newSession()
        let query = FormFields.parse(request.query) ?? [:]
        var response: ConsoleResponse
        switch route {
        case .overview: response = await overview(query: query)
        case .events: response = await events(query: query)
        case .event(let seq): response = await event(seq: seq, query: query, session: session)
        case .deadLetters: response = await deadLetters(query: query, session: session)
        case .tail: response = page("tail", ConsoleViews.Tail(frame: frame("Live tail", "tail", query: query), keep: 200))
        case .replay(let seq): response = await replay(seq: seq, actor: actor)
        case .retry(let id): response = await retry(letter: id, actor: actor)
        case .drop(let id): response = await drop(letter: id, actor: actor)
        case .tailStream, .asset: response = .text(404, "not found")
        }
        if existing == nil {
            response.headers.append(.init(name: "set-cookie",
                                          value: "\(CSRFGuard.cookie)=\(session); Path=/console/; HttpOnly; SameSite=Strict"))
        }
        return response
    }

    /// How the live tail's stream starts: refused (with the answer to send),
    /// or subscribed (send the stream's head, then what `send` receives).
    public enum TailOpening: Sendable {
        case refuse(ConsoleResponse)
        /// `cancel` unsubscribes; call it when the connection closes.
        case stream(cancel: @Sendable () -> Void)
    }

    /// Opens the live tail for `request`: `send` receives each chunk of the
    /// `text/event-stream` body (on the tail's own task); it returns `false`
    /// when the connection cannot keep up, which ends the subscription.
    public func openTail(_ request: ConsoleRequest, send: @escaping @Sendable (TailHub.Chunk) -> Bool) async -> TailOpening {
        if case .refuse(let response) = gate.decide(request, route: .tailStream, form: [:]) { return .refuse(response) }
        let start: Int64
        do {
            start = try await ask { store throws(StoreError) in try await store.lastSequence() }
        } catch {
            return .refuse(.text(503, "the store did not answer: \(error.message)"))
        }
        guard let id = tail.subscribe(after: start, send: send) else {
            return .refuse(.text(503, "too many live tails are open (at most \(TailHub.maximumSubscribers)); close one and reload"))
        }
        return .stream(cancel: { [tail] in tail.unsubscribe(id) })
    }

    // MARK: Pages

    func frame(_ title: String, _ page: String, query: [String: String] = [:], flash: ConsoleViews.Flash? = nil) -> ConsoleViews.Frame {
        var nav = ConsoleViews.Nav()
        switch page {
        case "overview": nav.overview = true
        case "events", "event": nav.events = true
        case "dead-letters": nav.deadLetters = true
        case "tail": nav.tail = true
        default: break
        }
        return ConsoleViews.Frame(title: title, page: page, nav: nav, backend: context().backend,
                                  flash: flash ?? ConsoleViews.flash(done: query["done"], fields: query),
                                  generatedAt: RFC3339.format(micros: WallClock.nowMicros()))
    }

    func page(_ template: String, _ view: Any, status: Int = 200) -> ConsoleResponse {
        .page(status, renderer.render(view, template))
    }

    func failure(_ status: Int, _ heading: String, _ message: String) -> ConsoleResponse {
        page("error", ConsoleViews.Failure(frame: frame(heading, "error"), heading: heading, message: message), status: status)
    }

    /// The store's answer to `query` within ``storeTimeout``.
    func ask<T: Sendable>(_ query: @escaping @Sendable (any EventStore) async throws(StoreError) -> T) async throws(StoreError) -> T {
        let store = self.store
        let result = try? await withDeadline(storeTimeout) { () async -> Result<T, StoreError> in
            do throws(StoreError) { return .success(try await query(store)) } catch { return .failure(error) }
        }
        guard let result else {
            throw StoreError(.unavailable, "the store did not answer within \(storeTimeout)")
        }
        return try result.get()
    }

    /// The chain's checkpoint (`nil` when no chain is configured).
    func checkpoint() async throws(StoreError) -> Int64? {
        guard context().chainConfigured else { return nil }
        if let runner = runner() { return runner.status().checkpoint }
        return try await ask { store throws(StoreError) in try await store.checkpoint(ChainRunner.consumer) }
    }

    func overview(query: [String: String]) async -> ConsoleResponse {
        let context = context()
        var errors: [String] = []
        func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (any EventStore) async throws(StoreError) -> T) async -> T? {
            do { return try await ask(body) } catch {
                errors.append("\(what): \(error.message)")
                return nil
            }
        }
        let lastSeq = await read("newest seq") { store throws(StoreError) in try await store.lastSequence() }
        let letters = await read("dead letters") { store throws(StoreError) in try await store.deadLetterCount() }
        let cluster = await read("cluster") { store throws(StoreError) in try await store.chainCluster() } ?? nil
        var checkpoint: Int64?
        do { checkpoint = try await self.checkpoint() } catch { errors.append("checkpoint: \(error.message)") }
        var lag = "–"
        if let checkpoint, let lastSeq, lastSeq > checkpoint {
            let next = checkpoint + 1
            if let oldest = await read("oldest unsettled event", { store throws(StoreError) in try await store.event(seq: next) }) ?? nil {
                let seconds = max(0, (WallClock.nowMicros() - oldest.receivedAtMicros) / 1_000_000)
                lag = "seq \(next), received \(Self.duration(seconds)) ago"
            } else {
                lag = "seq \(next)"
            }
        } else if checkpoint != nil {
            lag = "none: everything stored is settled"
        }
        let problems = storeDamage()
        let runner = runner()
        let status = runner?.status()
        let stderr = runner?.recentStderr() ?? []
        let stages = (status?.stages ?? []).enumerated().map { index, stage in
            ConsoleViews.stageRow(stage, stderr: index < stderr.count ? stderr[index] : [])
        }
        let noChain: String = if !context.chainConfigured {
            "No [[stage]] is configured: events are stored and not processed."
        } else if let holder = cluster?.holder {
            "The chain runs on node \(holder), not on this one."
        } else {
            "The chain is not running on this node (it is starting, or another node holds it)."
        }
        let view = ConsoleViews.Overview(
            frame: frame("Overview", "overview", query: query),
            sources: ConsoleViews.sourceRows(activity.snapshot()),
            backend: context.backend,
            lastSeq: lastSeq.map(String.init) ?? "?",
            checkpoint: checkpoint.map(String.init) ?? (context.chainConfigured ? "?" : "– (no chain)"),
            backlog: zip2(lastSeq, checkpoint).map { String(max(0, $0 - $1)) } ?? "–",
            lag: lag,
            deadLetters: letters.map(String.init) ?? "?",
            integrity: problems.isEmpty ? "no damage found at start" : "damaged:",
            integrityClass: problems.isEmpty ? "healthy" : "damaged",
            problems: problems,
            storeError: errors.isEmpty ? nil : "Not read: " + errors.joined(separator: "; "),
            hasChain: status != nil, noChain: noChain, stages: stages,
            fed: status.map { String($0.fed) } ?? "–", inFlight: status.map { String($0.inFlight) } ?? "–",
            deadLettered: status.map { String($0.deadLettered) } ?? "–",
            cluster: cluster.map { cluster in
                ConsoleViews.Cluster(
                    holder: cluster.holder ?? "none (a node takes over within the lease's time to live)", epoch: cluster.epoch,
                    since: cluster.heldSinceMicros.map { RFC3339.format(micros: $0) } ?? "–", unsequenced: cluster.unsequenced,
                    nodes: cluster.nodes.map { node in
                        .init(id: node.id, role: node.id == cluster.holder ? "chain holder" : "receiver",
                              started: RFC3339.format(micros: node.startedAtMicros), seen: RFC3339.format(micros: node.seenAtMicros))
                    })
            })
        return page("overview", view)
    }

    static func duration(_ seconds: Int64) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7_200 { return "\(seconds / 60) min" }
        if seconds < 172_800 { return "\(seconds / 3_600) h" }
        return "\(seconds / 86_400) days"
    }

    func deadLetters(query: [String: String], session: String) async -> ConsoleResponse {
        let after = query["after"].flatMap(Int64.init) ?? 0
        let pageSize = 100
        let letters: [DeadLetter]
        let count: Int
        do {
            letters = try await ask { store throws(StoreError) in try await store.deadLetters(after: after, limit: pageSize + 1) }
            count = try await ask { store throws(StoreError) in try await store.deadLetterCount() }
        } catch {
            return failure(503, "Dead letters", "The store did not answer: \(error.message)")
        }
        let shown = Array(letters.prefix(pageSize))
        let view = ConsoleViews.DeadLetters(
            frame: frame("Dead letters", "dead-letters", query: query), count: count, letters: shown.map(ConsoleViews.letterRow),
            actions: gate.actionsEnabled ? .init(csrf: gate.csrf.token(session: session)) : nil,
            next: letters.count > pageSize ? shown.last.map { "/console/dead-letters?after=\($0.id)" } : nil)
        return page("dead-letters", view)
    }

    func event(seq: Int64, query: [String: String], session: String) async -> ConsoleResponse {
        let stored: StoredEvent?
        let letters: [DeadLetter]
        let checkpoint: Int64?
        do {
            stored = try await ask { store throws(StoreError) in try await store.event(seq: seq) }
            letters = try await ask { store throws(StoreError) in try await store.deadLetters(forSeq: seq) }
            checkpoint = try await self.checkpoint()
        } catch {
            return failure(503, "Event \(seq)", "The store did not answer: \(error.message)")
        }
        guard let stored else {
            return failure(404, "Event \(seq)", "No event \(seq) is stored: it was never numbered, or retention pruned it.")
        }
        let line = Envelope.line(seq: stored.seq, metadata: stored.metadata, payload: stored.payload)
        let (envelope, verified): (String, ConsoleViews.Verified?) = switch JSONDocument.parse(line) {
        case .success(let document): (document.pretty(), ConsoleViews.verified(document))
        case .failure: (String(decoding: line, as: UTF8.self), nil)
        }
        let holder = runner() == nil ? (try? await ask { store throws(StoreError) in try await store.chainCluster() })??.holder : nil
        let view = ConsoleViews.Event(
            frame: frame("Event \(seq)", "event", query: query), seq: seq, source: stored.source, id: stored.dedupeKey,
            received: RFC3339.format(micros: stored.receivedAtMicros), bytes: stored.payload.count,
            outcome: ConsoleViews.outcome(seq: seq, deadLettered: !letters.isEmpty, checkpoint: checkpoint),
            position: ConsoleViews.position(seq: seq, letters: letters, checkpoint: checkpoint, fed: runner()?.status().fed, holder: holder),
            verified: verified, hasDeadLetters: !letters.isEmpty, deadLetters: letters.map(ConsoleViews.letterRow),
            actions: gate.actionsEnabled ? .init(csrf: gate.csrf.token(session: session)) : nil, envelope: envelope)
        return page("event", view)
    }

    // MARK: Actions

    func logAction(_ action: String, actor: String, _ metadata: Logger.Metadata, outcome: String) {
        var metadata = metadata
        metadata["console.action"] = "\(action)"
        metadata["console.actor"] = "\(actor)"
        metadata["console.outcome"] = "\(outcome)"
        logger.notice("console action", metadata: metadata)
    }

    func replay(seq: Int64, actor: String) async -> ConsoleResponse {
        let run = "console-" + CSRFGuard.newSession()
        do {
            guard let original = try await ask({ store throws(StoreError) in try await store.event(seq: seq) }) else {
                logAction("replay", actor: actor, ["hook.seq": "\(seq)"], outcome: "not found")
                return failure(404, "Replay", "No event \(seq) is stored; nothing was replayed.")
            }
            let copy = EventCopy.of(original, run: run, nowMicros: WallClock.nowMicros())
            let outcome = try await ask { store throws(StoreError) in try await store.append(copy) }
            logAction("replay", actor: actor, ["hook.seq": "\(seq)", "hook.copy_seq": "\(outcome.seq.map(String.init) ?? "pending")"],
                      outcome: "stored")
            if let copySeq = outcome.seq { return .seeOther("/console/events/\(copySeq)?done=replayed&from=\(seq)&seq=\(copySeq)") }
            return .seeOther("/console/events/\(seq)?done=replayed&from=\(seq)")
        } catch {
            logAction("replay", actor: actor, ["hook.seq": "\(seq)"], outcome: "failed: \(error.message)")
            return failure(503, "Replay", "Event \(seq) was not replayed: \(error.message)")
        }
    }

    func retry(letter id: Int64, actor: String) async -> ConsoleResponse {
        let desk = DeadLetterDesk(store: store)
        do {
            let letter = try await desk.letter(id)
            let retried = try await desk.retry(letter, run: "console-" + CSRFGuard.newSession(), nowMicros: WallClock.nowMicros())
            logAction("retry", actor: actor, ["dlq.id": "\(id)", "hook.seq": "\(letter.seq)",
                                              "hook.copy_seq": "\(retried.seq.map(String.init) ?? "pending")"], outcome: "stored")
            return .seeOther("/console/dead-letters?done=retried&letter=\(id)" + (retried.seq.map { "&seq=\($0)" } ?? ""))
        } catch {
            logAction("retry", actor: actor, ["dlq.id": "\(id)"], outcome: "failed: \(error.message)")
            return failure(error.code == .notFound ? 404 : error.code == .cannotRetry ? 409 : 503, "Retry", error.message)
        }
    }

    func drop(letter id: Int64, actor: String) async -> ConsoleResponse {
        do {
            try await DeadLetterDesk(store: store).drop(id)
            logAction("drop", actor: actor, ["dlq.id": "\(id)"], outcome: "dropped")
            return .seeOther("/console/dead-letters?done=dropped&letter=\(id)")
        } catch {
            logAction("drop", actor: actor, ["dlq.id": "\(id)"], outcome: "failed: \(error.message)")
            return failure(error.code == .notFound ? 404 : 503, "Drop", error.message)
        }
    }
}

/// Both values, or `nil`.
func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
