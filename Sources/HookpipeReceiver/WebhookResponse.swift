import HookpipeJSON

/// What the receiver answers: a status and a small JSON body.
///
/// The mapping from outcome to status lives here and nowhere else: sender
/// mistakes are 4xx (do not retry as is), our own faults are 5xx (retry).
public struct WebhookResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    /// Extra headers, e.g. `Retry-After` or `Allow`.
    public var headers: [(String, String)]
    /// The `outcome` logged and counted for this response.
    public var outcome: String

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.outcome == rhs.outcome
            && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
    }

    init(status: Int, outcome: String, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.outcome = outcome
        self.headers = headers
        self.body = body
    }

    init(status: Int, outcome: String, headers: [(String, String)] = [], fields: (inout JSONObjectWriter) -> Void) {
        var object = JSONObjectWriter()
        fields(&object)
        self.init(status: status, outcome: outcome, headers: headers, body: object.serialized())
    }

    /// 200 with an empty body, for either outcome (``Ingest/Acknowledgement/empty``).
    static func emptyAcknowledgement(outcome: String) -> Self {
        Self(status: 200, outcome: outcome, body: [])
    }

    /// 200: stored now.
    static func accepted(seq: Int64?, id: String) -> Self {
        Self(status: 200, outcome: "accepted") { body in
            body.set("status", "accepted")
            if let seq { body.set("seq", seq) }
            body.set("id", id)
        }
    }

    /// 200: stored before, within the dedupe window; nothing written.
    static func duplicate(seq: Int64?, id: String) -> Self {
        Self(status: 200, outcome: "duplicate") { body in
            body.set("status", "duplicate")
            if let seq { body.set("seq", seq) }
            body.set("id", id)
        }
    }

    /// 200 with an answer the sender's handshake expects (Slack's `url_verification`); nothing stored.
    static func challenge(_ challenge: String) -> Self {
        Self(status: 200, outcome: "challenge") { $0.set("challenge", challenge) }
    }

    /// A refusal with a stable error code and a human message.
    static func error(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = []) -> Self {
        Self(status: status, outcome: code, headers: headers) { $0.set("error", code); $0.set("message", message) }
    }

    /// 400 for a body jansson refused, with its line, column and message.
    static func invalidJSON(_ error: JSONParseError) -> Self {
        Self(status: 400, outcome: "invalid_json") {
            $0.set("error", "invalid_json")
            $0.set("message", "body is not valid JSON: \(error.message)")
            $0.set("line", Int64(error.line))
            $0.set("column", Int64(error.column))
            $0.set("position", Int64(error.position))
        }
    }

    /// 503: the event could not be stored; the sender should retry.
    static func storeUnavailable(_ code: String, retryAfterSeconds: Int) -> Self {
        error(503, code, "the event could not be stored durably; retry later",
              headers: [("Retry-After", String(retryAfterSeconds))])
    }
}
