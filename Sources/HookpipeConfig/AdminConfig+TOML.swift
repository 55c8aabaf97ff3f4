/// `[admin]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension AdminConfig: ConfigSection {
    static let tomlKeys = ["enabled", "host", "port"]

    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        self.init()
        guard let table else { return }
        if let enabled = try table.boolean("enabled") { self.enabled = enabled }
        if let host = try table.nonEmptyString("host", expected: #"an address like "127.0.0.1""#) { self.host = host }
        // 0 lets the system pick a free port; the daemon logs the one it got.
        if let port = try table.integer("port", expected: "a port number from 0 to 65535", isValid: { (0...65_535).contains($0) }) {
            self.port = port
        }
    }
}
