/// The admin listener's endpoints, and how a request maps to one. No I/O.
enum AdminRoute: Sendable, Equatable {
    /// `/healthz`: the process and its event loop answer.
    case health
    /// `/readyz`: the daemon should be sent traffic (``Readiness``).
    case ready
    /// `/metrics`: Prometheus text exposition.
    case metrics

    enum Decision: Sendable, Equatable {
        case serve(AdminRoute)
        case refuse(AdminResponse)
    }

    /// The endpoint for `method` and `uri` (any query is ignored), or the
    /// refusal to send: 404 for an unknown path, 405 for a method other than GET.
    static func decide(method: String, uri: String) -> Decision {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let route: AdminRoute
        switch path {
        case "/healthz": route = .health
        case "/readyz": route = .ready
        case "/metrics": route = .metrics
        default: return .refuse(.notFound)
        }
        guard method == "GET" else { return .refuse(.methodNotAllowed) }
        return .serve(route)
    }
}
