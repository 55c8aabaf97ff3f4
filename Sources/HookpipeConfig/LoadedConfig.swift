/// The result of loading `pipeline.conf`: a valid configuration and what to warn about.
public struct LoadedConfig: Sendable, Equatable {
    /// The configuration, with defaults filled in and relative paths resolved.
    public var config: PipelineConfig
    /// Things that work but deserve attention, in file order.
    public var warnings: [ConfigWarning]

    /// Pairs a configuration with its warnings.
    public init(config: PipelineConfig, warnings: [ConfigWarning]) {
        self.config = config
        self.warnings = warnings
    }
}
