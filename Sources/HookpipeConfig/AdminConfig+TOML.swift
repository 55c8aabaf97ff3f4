/// `[admin]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension AdminConfig: ConfigSection {
    static let tomlKeys = ["enabled", "host", "port", "console", "console_actions", "console_auth"]

    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        self.init()
        guard let table else { return }
        if let enabled = try table.boolean("enabled") { self.enabled = enabled }
        if let host = try table.nonEmptyString("host", expected: #"an address like "127.0.0.1""#) { self.host = host }
        // 0 lets the system pick a free port; the daemon logs the one it got.
        if let port = try table.integer("port", expected: "a port number from 0 to 65535", isValid: { (0...65_535).contains($0) }) {
            self.port = port
        }
        if let console = try table.boolean("console") { self.console = console }
        if let actions = try table.boolean("console_actions") { consoleActions = actions }
        if let text = try table.string("console_auth", reveal: false) {
            do { consoleAuth = try SecretReference.parse(text, baseDirectory: context.baseDirectory) } catch {
                throw table.path.appending("console_auth").invalid(error)
            }
            if case .literal = consoleAuth {
                context.warn(.inlineSecret, at: table.path, "console_auth is written inline; prefer env:, file: or credential:")
            }
        }
        // A console reachable from other hosts without credentials would let
        // anyone read every stored payload and retry or drop dead letters.
        if enabled, console, consoleAuth == nil, !Self.isLoopback(host) {
            throw table.path.appending("console_auth").missing(expected: """
                credentials for the web console, because [admin] host "\(host)" is not a loopback address: \
                console_auth = "credential:console" (a file holding user:password or a token), or console = false
                """)
        }
    }

    /// `127.0.0.0/8`, `::1` and `localhost`: reachable from this host only.
    static func isLoopback(_ host: String) -> Bool {
        var lowered = host.lowercased()
        if lowered.hasPrefix("["), lowered.hasSuffix("]") { lowered = String(lowered.dropFirst().dropLast()) }
        return lowered == "localhost" || lowered.hasPrefix("127.") || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1"
    }
}
