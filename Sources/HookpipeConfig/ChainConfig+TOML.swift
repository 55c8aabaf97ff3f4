/// `[chain]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
///
/// The stages are top-level `[[stage]]` tables, read by ``read(chain:stages:from:context:)``
/// after `[chain]` because a stage's `timeout` is checked against the chain's `flush_after`.
extension ChainConfig: ConfigSection {
    static let tomlKeys = [
        "output", "max_in_flight", "flush_after", "checkpoint_interval", "drain_timeout", "poison_after", "stderr_tail",
    ]

    private static let outputExpectation = #""discard", "stdout" or "file:PATH", like "file:events.ndjson""#

    /// Reads the table `chainKey` and the array of tables `stagesKey` of `root`.
    static func read(
        chain chainKey: String, stages stagesKey: String, from root: TableReader, context: inout DecodingContext
    ) throws(ConfigError) -> ChainConfig {
        var chain = try root.section(chainKey, as: ChainConfig.self, context: &context)
        chain.stages = try StageConfig.readAll(stagesKey, from: root, flushAfter: chain.flushAfter, context: &context)
        return chain
    }

    init(toml table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        self.init()
        guard let table else { return }
        if let text = try table.nonEmptyString("output", expected: Self.outputExpectation) {
            output = try Self.output(text, at: table.path.appending("output"), baseDirectory: context.baseDirectory)
        }
        if let count = try table.positiveInteger("max_in_flight") { maxInFlight = count }
        if let duration = try table.duration("flush_after") { flushAfter = duration }
        if let duration = try table.duration("checkpoint_interval") { checkpointInterval = duration }
        if let duration = try table.duration("drain_timeout") { drainTimeout = duration }
        if let count = try table.positiveInteger("poison_after") { poisonAfter = count }
        if let count = try table.positiveInteger("stderr_tail") { stderrTail = count }
    }

    /// `discard`, `stdout` or `file:PATH`, a relative path resolved against `baseDirectory`.
    private static func output(_ text: String, at path: ConfigKeyPath, baseDirectory: String) throws(ConfigError) -> Output {
        switch text {
        case "discard": return .discard
        case "stdout": return .stdout
        default: break
        }
        if let file = text.dropPrefix("file:") {
            guard !file.isEmpty else {
                throw path.invalid(expected: #"a path after "file:", like "file:events.ndjson""#, found: FoundValue.quoted(text))
            }
            return .file(FileSystem.join(baseDirectory, file))
        }
        var found = FoundValue.quoted(text)
        if let suggestion = Spelling.closest(to: text, among: ["discard", "stdout"]) { found += " (did you mean \"\(suggestion)\"?)" }
        throw path.invalid(expected: outputExpectation, found: found)
    }
}
