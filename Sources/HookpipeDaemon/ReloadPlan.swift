import HookpipeConfig

/// What a reload of `pipeline.conf` changes, worked out from the running and
/// the new configuration without doing anything.
///
/// Live: sources (always rebuilt, so rotated secrets are read again even when
/// the file did not change), the chain (drained and restarted when `[chain]`
/// or a `[[stage]]` changed), the TLS certificate and key (read again) and
/// `[server] trusted_proxies`.
/// Everything else is fixed for the life of the process; changes to it are
/// listed in ``needsRestart`` and kept at their running values.
struct ReloadPlan: Equatable {
    var sourcesAdded: [String] = []
    var sourcesRemoved: [String] = []
    var sourcesChanged: [String] = []
    var chainChanged = false
    /// Settings that changed but only take effect after a restart, as `[table] key`.
    var needsRestart: [String] = []

    init(running old: PipelineConfig, new: PipelineConfig) {
        let oldSources = Dictionary(old.sources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.sources.map(\.name))
        for source in new.sources {
            if let before = oldSources[source.name] {
                if before != source { sourcesChanged.append(source.name) }
            } else {
                sourcesAdded.append(source.name)
            }
        }
        sourcesRemoved = old.sources.map(\.name).filter { !newNames.contains($0) }
        chainChanged = old.chain != new.chain

        var restart: [String] = []
        func check<T: Equatable>(_ name: String, _ keyPath: KeyPath<PipelineConfig, T>) {
            if old[keyPath: keyPath] != new[keyPath: keyPath] { restart.append(name) }
        }
        check("[server] host", \.server.host)
        check("[server] port", \.server.port)
        check("[server] max_body_bytes", \.server.maxBodyBytes)
        check("[server] max_header_bytes", \.server.maxHeaderBytes)
        check("[server] max_connections", \.server.maxConnections)
        check("[server] request_timeout", \.server.requestTimeout)
        check("[server] idle_timeout", \.server.idleTimeout)
        check("[server] first_byte_timeout", \.server.firstByteTimeout)
        check("[server] threads", \.server.threads)
        check("[store]", \.store)
        check("[log]", \.log)
        check("[admin]", \.admin)
        needsRestart = restart
    }

    /// The running configuration after this plan: the new one, with the
    /// settings that need a restart kept at their running values.
    static func effective(running old: PipelineConfig, new: PipelineConfig) -> PipelineConfig {
        var effective = new
        effective.server = old.server
        effective.server.tlsCertificate = new.server.tlsCertificate
        effective.server.tlsKey = new.server.tlsKey
        effective.server.trustedProxies = new.server.trustedProxies
        effective.store = old.store
        effective.log = old.log
        effective.admin = old.admin
        return effective
    }
}
