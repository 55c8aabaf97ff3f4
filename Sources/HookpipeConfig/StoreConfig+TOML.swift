/// `[store]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension StoreConfig: ConfigSection {
    static let tomlKeys = ["state_directory", "max_batch", "retention", "backend", "url", "pool_size", "connect_timeout",
                           "operation_timeout", "lease_ttl"]
    static let postgresqlKeys = ["url", "pool_size", "connect_timeout", "operation_timeout", "lease_ttl"]

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
        try readBackend(table, context: &context)
    }

    /// `backend`, and the PostgreSQL keys, which only that backend takes.
    private mutating func readBackend(_ table: TableReader?, context: inout DecodingContext) throws(ConfigError) {
        guard let table else { return }
        let expected = #""sqlite" (the default) or "postgresql""#
        if let name = try table.nonEmptyString("backend", expected: expected) {
            guard let chosen = Backend(rawValue: name) else {
                throw table.path.appending("backend").invalid(expected: expected, found: FoundValue.quoted(name))
            }
            backend = chosen
        }
        guard backend == .postgresql else {
            if let key = Self.postgresqlKeys.first(where: { table.value($0) != nil }) {
                throw table.path.appending(key).error(.invalidValue, #"is only used with backend = "postgresql""#)
            }
            return
        }
        guard let text = try table.string("url", reveal: false) else {
            throw table.path.appending("url").missing(expected: #"a secret reference to the connection URL, like "env:HOOKPIPE_DATABASE_URL" or "credential:database-url""#)
        }
        do { url = try SecretReference.parse(text, baseDirectory: context.baseDirectory) } catch {
            throw table.path.appending("url").invalid(error)
        }
        if case .literal = url {
            context.warn(.inlineSecret, at: table.path, "url is written inline (it holds the database password); prefer env:, file: or credential:")
        }
        if let size = try table.positiveInteger("pool_size") { poolSize = size }
        if let timeout = try table.duration("connect_timeout") { connectTimeout = timeout }
        if let timeout = try table.duration("operation_timeout") { operationTimeout = timeout }
        if let ttl = try table.duration("lease_ttl") {
            guard ttl >= .seconds(1) else {
                throw table.path.appending("lease_ttl").invalid(expected: "at least 1s", found: DurationSyntax.format(ttl))
            }
            leaseTTL = ttl
        }
    }

    /// The first entry of `$STATE_DIRECTORY` (systemd sets a colon-separated list for `StateDirectory=`).
    static func systemdStateDirectory(_ environment: [String: String]) -> String? {
        guard let value = environment["STATE_DIRECTORY"],
            let first = value.split(separator: ":", omittingEmptySubsequences: true).first
        else { return nil }
        return String(first)
    }
}
