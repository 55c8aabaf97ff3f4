/// `[log]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension LogConfig: ConfigSection {
    static let tomlKeys = ["level"]

    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        self.init()
        if let level = try table?.choice("level", of: Level.self) { self.level = level }
    }
}
