/// `[server]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension ServerConfig: ConfigSection {
    static let tomlKeys = [
        "host", "port", "max_body_bytes", "max_header_bytes", "max_connections",
        "request_timeout", "idle_timeout", "first_byte_timeout", "threads", "tls_certificate", "tls_key", "trusted_proxies",
    ]

    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        self.init()
        guard let table else { return }
        if let host = try table.nonEmptyString("host", expected: #"an address like "127.0.0.1" or "::""#) {
            self.host = host
        }
        if let port = try table.integer("port", expected: "a port number from 1 to 65535", isValid: { (1...65_535).contains($0) }) {
            self.port = port
        }
        if let bytes = try table.positiveInteger("max_body_bytes") { maxBodyBytes = bytes }
        if let bytes = try table.positiveInteger("max_header_bytes") { maxHeaderBytes = bytes }
        if let count = try table.positiveInteger("max_connections") { maxConnections = count }
        if let timeout = try table.duration("request_timeout") { requestTimeout = timeout }
        if let timeout = try table.duration("idle_timeout") { idleTimeout = timeout }
        if let timeout = try table.duration("first_byte_timeout") { firstByteTimeout = timeout }
        if let count = try table.integer("threads", expected: "0 (one per core) or a positive integer", isValid: { $0 >= 0 }) {
            threads = count
        }
        let pemExpectation = #"a PEM file like "/etc/hookpipe/tls.pem""#
        if let path = try table.nonEmptyString("tls_certificate", expected: pemExpectation) {
            tlsCertificate = FileSystem.join(context.baseDirectory, path)
        }
        if let path = try table.nonEmptyString("tls_key", expected: pemExpectation) {
            tlsKey = FileSystem.join(context.baseDirectory, path)
        }
        let proxies = try table.stringArray("trusted_proxies") ?? []
        for (index, entry) in proxies.enumerated() where entry.isEmpty || ValueSyntax.containsSpaceOrControl(entry) {
            throw table.path.appending("trusted_proxies").element(index + 1)
                .invalid(expected: "an address or CIDR like \"10.0.0.5\" or \"10.0.0.0/8\"", found: FoundValue.quoted(entry))
        }
        trustedProxies = proxies
        if (tlsCertificate == nil) != (tlsKey == nil) {
            let missing = tlsCertificate == nil ? "tls_certificate" : "tls_key"
            throw table.path.appending(missing).missing(expected: "both tls_certificate and tls_key, or neither")
        }
    }
}
