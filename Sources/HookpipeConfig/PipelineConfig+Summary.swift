import HookpipeVerification

extension PipelineConfig {
    /// A readable multi-line rendering of the resolved configuration, for `hookpipe check`.
    ///
    /// Shows the listener, the state directory, the log level and, per source,
    /// its path, scheme, secret references, tolerance, dedupe key and window and
    /// allow-list; then the chain's output and bounds and, per stage, its
    /// command line, environment variable names, working directory, restart
    /// backoff, timeout and in-flight limit. Secrets appear only as references
    /// (`env:NAME`, `file:PATH`, `credential:NAME`, `<inline literal>`), never as
    /// values; stage environment values never appear.
    public func summary() -> String {
        var text = SummaryText()
        text.heading("server")
        text.row("listen", server.host.contains(":") ? "[\(server.host)]:\(server.port)" : "\(server.host):\(server.port)")
        let limits = [
            "body \(Self.bytes(server.maxBodyBytes))", "headers \(Self.bytes(server.maxHeaderBytes))",
            "\(server.maxConnections) connections",
        ]
        text.row("limits", limits.joined(separator: ", "))
        text.row("timeouts", "request \(DurationSyntax.format(server.requestTimeout)), idle \(DurationSyntax.format(server.idleTimeout))")
        text.row("threads", server.threads == 0 ? "one per core" : "\(server.threads)")
        text.row("tls", server.tlsCertificate.map { "certificate \($0), key \(server.tlsKey ?? "?")" } ?? "off (plain HTTP)")
        text.row("proxies", server.trustedProxies.isEmpty
            ? "none trusted (X-Forwarded-For is ignored)" : "trusted: " + server.trustedProxies.joined(separator: ", "))
        text.heading("store")
        switch store.backend {
        case .sqlite:
            text.row("backend", "sqlite (\(store.databasePath))")
        case .postgresql:
            text.row("backend", "postgresql, url from \(store.url.map { "\($0)" } ?? "nowhere")")
            text.row("connections", "\(store.poolSize) per node, connect timeout \(DurationSyntax.format(store.connectTimeout)), operation timeout \(DurationSyntax.format(store.operationTimeout))")
            text.row("chain lease", "time to live \(DurationSyntax.format(store.leaseTTL))")
        }
        text.row("state directory", store.stateDirectory)
        text.row("max batch", "\(store.maxBatch) events")
        text.row("retention", "settled events pruned after \(DurationSyntax.format(store.retention))")
        text.heading("admin")
        text.row("listen", admin.enabled ? (admin.host.contains(":") ? "[\(admin.host)]:\(admin.port)" : "\(admin.host):\(admin.port)") : "off")
        if admin.enabled {
            let access = admin.consoleAuth.map { "credentials from \($0)" } ?? "loopback host names only, no credentials"
            text.row("console", admin.console ? "/console/, \(access), actions \(admin.consoleActions ? "on" : "off")" : "off")
        }
        text.heading("log")
        text.row("level", log.level.rawValue)
        for source in sources {
            text.heading("source \"\(source.name)\"")
            text.row("path", source.path)
            text.row("scheme", source.scheme.rawValue)
            if let hmac = source.hmac {
                var parts = ["header \(hmac.header)", hmac.algorithm.rawValue, hmac.encoding.rawValue]
                if !hmac.prefix.isEmpty { parts.append("prefix \(FoundValue.quoted(hmac.prefix))") }
                if let header = hmac.timestampHeader { parts.append("timestamp header \(header)") }
                text.row("hmac", parts.joined(separator: ", "))
            }
            text.row("secrets", source.secrets.isEmpty ? "none" : source.secrets.map(\.description).joined(separator: ", "))
            text.row("tolerance", Self.tolerance(source))
            text.row("dedupe key", source.dedupeKey?.description ?? "scheme default")
            text.row("dedupe window", DurationSyntax.format(source.dedupeWindow))
            text.row("allow", source.allowIPs.isEmpty ? "any address" : source.allowIPs.joined(separator: ", "))
        }
        chainSummary(into: &text)
        return text.lines.joined(separator: "\n")
    }

    /// The `chain` block and one block per stage.
    private func chainSummary(into text: inout SummaryText) {
        text.heading("chain")
        text.row("stages", chain.stages.isEmpty ? "none (receive and store only)" : chain.stages.map(\.name).joined(separator: " -> "))
        text.row("output", chain.output.description)
        text.row("in flight", "\(chain.maxInFlight) events")
        let timing = [
            "flush after \(DurationSyntax.format(chain.flushAfter))",
            "checkpoint every \(DurationSyntax.format(chain.checkpointInterval))",
            "drain \(DurationSyntax.format(chain.drainTimeout))",
        ]
        text.row("timing", timing.joined(separator: ", "))
        text.row("poison after", "\(chain.poisonAfter) consecutive failures")
        text.row("stderr tail", "\(chain.stderrTail) lines")
        for (index, stage) in chain.stages.enumerated() {
            text.heading("stage \"\(stage.name)\" (#\(index + 1))")
            text.row("command", ShellQuoting.line(stage.command))
            text.row("shell", stage.shell ? "yes" : "no")
            // Names only: values may be credentials.
            text.row("environment", stage.environment.isEmpty ? "none" : stage.environment.keys.sorted().joined(separator: ", "))
            text.row("working dir", stage.workingDirectory ?? "the daemon's")
            let backoff = [
                "\(DurationSyntax.format(stage.backoffMin)) to \(DurationSyntax.format(stage.backoffMax))",
                "healthy after \(DurationSyntax.format(stage.healthyAfter))",
                "failed after \(stage.failAfter) restarts",
            ]
            text.row("backoff", backoff.joined(separator: ", "))
            text.row("timeout", DurationSyntax.format(stage.timeout))
            text.row("in flight", "\(stage.maxInFlight) lines")
        }
    }

    /// The configured tolerance (`5m`), else the scheme's default with that
    /// said (`5d (the scheme's default)`), else that there is none to apply.
    private static func tolerance(_ source: SourceConfig) -> String {
        if let tolerance = source.tolerance { return DurationSyntax.format(tolerance) }
        guard let standard = SignatureSchemes.defaultTolerance(for: source.scheme, hmac: source.hmac) else {
            return "none (the scheme signs no timestamp)"
        }
        return "\(DurationSyntax.format(standard)) (the scheme's default)"
    }

    /// `1 MiB`, `16 KiB` when exact, else `1000 bytes`.
    private static func bytes(_ count: Int) -> String {
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count) bytes"
    }
}

/// Lines of `heading` / `  label  value` rows with aligned values.
private struct SummaryText {
    static let labelWidth = 17
    var lines: [String] = []

    mutating func heading(_ title: String) {
        lines.append(title)
    }

    mutating func row(_ label: String, _ value: String) {
        let padding = String(repeating: " ", count: max(1, Self.labelWidth - label.count))
        lines.append("  " + label + padding + value)
    }
}
