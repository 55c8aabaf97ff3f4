/// `[store]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension StoreConfig: ConfigSection {
    static let tomlKeys = ["state_directory", "max_batch", "retention"]

    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        self.init()
        if let directory = try table?.nonEmptyString("state_directory", expected: #"a directory like "state" or "/var/lib/hookpipe""#) {
            stateDirectory = FileSystem.join(context.baseDirectory, directory)
        } else if let systemd = Self.systemdStateDirectory(context.environment) {
            stateDirectory = systemd
        } else {
            stateDirectory = FileSystem.join(context.baseDirectory, stateDirectory)
        }
        if let batch = try table?.positiveInteger("max_batch") { maxBatch = batch }
        if let age = try table?.duration("retention") { retention = age }
    }

    /// The first entry of `$STATE_DIRECTORY` (systemd sets a colon-separated list for `StateDirectory=`).
    static func systemdStateDirectory(_ environment: [String: String]) -> String? {
        guard let value = environment["STATE_DIRECTORY"],
            let first = value.split(separator: ":", omittingEmptySubsequences: true).first
        else { return nil }
        return String(first)
    }
}
