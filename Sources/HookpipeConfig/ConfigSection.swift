/// What reading one part of `pipeline.conf` may need besides the table itself.
struct DecodingContext {
    /// The configuration file as the user named it.
    let fileName: String
    /// Directory that relative paths (state directory, `file:` secrets) are resolved against.
    let baseDirectory: String
    /// The daemon's environment, for systemd's `$STATE_DIRECTORY`. Never mutated.
    let environment: [String: String]
    /// Warnings collected so far, in file order.
    var warnings: [ConfigWarning] = []

    /// Records a warning about `path`.
    mutating func warn(_ code: ConfigWarning.Code, at path: ConfigKeyPath, _ detail: String) {
        warnings.append(ConfigWarning(code, "\(fileName): \(path): \(detail)"))
    }
}

/// A top-level table of `pipeline.conf` with defaults, such as `[server]`.
///
/// Adding a table means one new `Type+TOML.swift` file conforming to this,
/// one line in ``PipelineConfig/init(toml:context:)`` and its keys in the
/// reference comment of `PipelineConfig+TOML.swift`.
protocol ConfigSection {
    /// The keys the table accepts; anything else is an error naming these.
    static var tomlKeys: [String] { get }

    /// Reads the table. `table` is nil when the file leaves it out (defaults
    /// apply); when present its keys have already been checked against ``tomlKeys``.
    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError)
}

extension TableReader {
    /// Reads the optional top-level table `key` as a ``ConfigSection``.
    func section<Section: ConfigSection>(
        _ key: String, as type: Section.Type, context: inout DecodingContext
    ) throws(ConfigError) -> Section {
        let table = try table(key)
        try table?.rejectUnknownKeys(Section.tomlKeys)
        return try Section(toml: table, context: &context)
    }
}
