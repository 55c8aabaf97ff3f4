import TOMLKit

/// `[[stage]]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
///
/// Stages run in file order, so messages about a stage name its position too:
/// `stage "jq" (#2): timeout: …` once the name is known, `stage #2: name: …` before.
extension StageConfig {
    static let tomlKeys = [
        "name", "command", "shell", "environment", "working_directory", "backoff_min", "backoff_max", "healthy_after",
        "fail_after", "timeout", "max_in_flight",
    ]

    private static let nameExpectation = #"a name like "jq" (letters, digits, ".", "_", "-")"#
    private static let argvExpectation = #"an array of strings, the program and its arguments, like ["jq", "-c", "."]"#
    private static let scriptExpectation = #"one string for /bin/sh -c, like "jq -c . | gzip""#
    private static let programExpectation = #"a program name or path, like "jq" or "/usr/local/bin/deliver""#
    private static let variableExpectation = #"variable names like "API_URL" (letters, digits, "_", not starting with a digit)"#
    private static let environmentExpectation = #"a table of variables, like { API_URL = "https://example.com" }"#
    private static let reservedVariablePrefix = "HOOKPIPE_"

    /// Reads the array of tables `key`, which may be absent (no stages); names unique.
    /// Every stage's `timeout` must exceed `flushAfter`, the chain's `flush_after`.
    static func readAll(
        _ key: String, from root: TableReader, flushAfter: Duration, context: inout DecodingContext
    ) throws(ConfigError) -> [StageConfig] {
        let tables = try root.tableArray(key) ?? []
        var stages: [StageConfig] = []
        for (index, table) in tables.enumerated() {
            let stage = try StageConfig(toml: table, number: index + 1, flushAfter: flushAfter, context: &context)
            if let earlier = stages.firstIndex(where: { $0.name == stage.name }) {
                throw root.path.scoped("\(key) \"\(stage.name)\" (#\(index + 1))").appending("name")
                    .error(.duplicate, "stage #\(earlier + 1) has the same name; names must be unique")
            }
            stages.append(stage)
        }
        return stages
    }

    /// Reads the `number`th (1-based) `[[stage]]` table.
    init(toml element: TableReader, number: Int, flushAfter: Duration, context: inout DecodingContext) throws(ConfigError) {
        let name = try element.entryName(expected: Self.nameExpectation)
        let table = element.scoped("stage \"\(name)\" (#\(number))")
        try table.rejectUnknownKeys(Self.tomlKeys)

        let shell = try table.boolean("shell") ?? false
        self.init(name: name, command: try Self.readCommand(table, shell: shell), shell: shell)
        environment = try Self.readEnvironment(table)
        // Default: the config file's directory, so relative commands do not depend on the daemon's cwd.
        workingDirectory = context.baseDirectory
        if let directory = try table.nonEmptyString("working_directory", expected: #"a directory like "/srv/hooks" or "handlers""#) {
            workingDirectory = FileSystem.join(context.baseDirectory, directory)
        }
        if let duration = try table.duration("backoff_min") { backoffMin = duration }
        if let duration = try table.duration("backoff_max") { backoffMax = duration }
        if backoffMax < backoffMin {
            // Blame the key that was written; the other one may be a default.
            if table.contains("backoff_max") {
                throw table.path.appending("backoff_max").error(
                    .conflict, "expected a duration no shorter than backoff_min = \(Self.shown(backoffMin, table, "backoff_min")), "
                        + "found \(DurationSyntax.format(backoffMax))")
            }
            throw table.path.appending("backoff_min").error(
                .conflict, "expected a duration no longer than backoff_max = \(Self.shown(backoffMax, table, "backoff_max")), "
                    + "found \(DurationSyntax.format(backoffMin))")
        }
        if let duration = try table.duration("healthy_after") { healthyAfter = duration }
        if let count = try table.positiveInteger("fail_after") { failAfter = count }
        if let duration = try table.duration("timeout") { timeout = duration }
        guard timeout > flushAfter else {
            throw table.path.appending("timeout").error(
                .conflict, "expected a duration longer than chain.flush_after (\(DurationSyntax.format(flushAfter))), "
                    + "found \(Self.shown(timeout, table, "timeout")); a stage holding events without progress "
                    + "for flush_after is drained and restarted first, so a shorter timeout would never fire")
        }
        if let count = try table.positiveInteger("max_in_flight") { maxInFlight = count }
    }

    /// `command`: an argv array, or with `shell = true` one string run as `/bin/sh -c string`.
    private static func readCommand(_ table: TableReader, shell: Bool) throws(ConfigError) -> [String] {
        let path = table.path.appending("command")
        guard let value = table.value("command") else {
            throw path.missing(expected: shell ? scriptExpectation : argvExpectation)
        }
        let found = FoundValue.typed(value, reveal: true)
        if shell {
            guard let script = value.string else {
                throw path.error(
                    .wrongType, "with shell = true, expected \(scriptExpectation), found \(found); "
                        + "write one string, or remove shell = true to give the program and its arguments as an array")
            }
            guard !script.allSatisfy(\.isWhitespace) else { throw path.invalid(expected: scriptExpectation, found: "an empty script") }
            return [shellPath, "-c", script]
        }
        guard value.array != nil else {
            var detail = "expected \(argvExpectation), found \(found)"
            if value.string != nil { detail += "; write it as an array, or set shell = true to run the string with /bin/sh -c" }
            throw path.error(.wrongType, detail)
        }
        let argv = try table.stringArray("command") ?? []
        guard let program = argv.first else { throw path.invalid(expected: argvExpectation, found: "an empty array") }
        guard !program.isEmpty else { throw path.element(1).invalid(expected: programExpectation, found: "an empty string") }
        return argv
    }

    /// `environment = { NAME = "value" }`. Values may be sensitive, so no message shows one.
    private static func readEnvironment(_ table: TableReader) throws(ConfigError) -> [String: String] {
        let path = table.path.appending("environment")
        guard let value = table.value("environment") else { return [:] }
        guard let variables = value.table else {
            throw path.mismatch(expected: environmentExpectation, found: FoundValue.typed(value, reveal: false))
        }
        let reader = TableReader(table: variables, path: path)
        var environment: [String: String] = [:]
        for name in variables.keys.sorted() {
            guard ValueSyntax.isVariableName(name) else {
                throw path.invalid(expected: variableExpectation, found: FoundValue.quoted(name))
            }
            guard !name.hasPrefix(reservedVariablePrefix) else {
                throw path.appending(name).error(
                    .invalidValue, "names starting with \(reservedVariablePrefix) are reserved for the variables hookpipe sets")
            }
            environment[name] = try reader.string(name, reveal: false)
        }
        return environment
    }

    /// `duration` formatted, marked as the default when `key` is absent from `table`: `30s` or `30s (the default)`.
    private static func shown(_ duration: Duration, _ table: TableReader, _ key: String) -> String {
        DurationSyntax.format(duration) + (table.contains(key) ? "" : " (the default)")
    }
}
