import HookpipeVerification

/// `[source.hmac]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
extension GenericHMACSettings {
    static let tomlKeys = ["header", "algorithm", "encoding", "prefix", "timestamp_header"]

    private static let headerExpectation = #"a header name like "X-Signature""#

    /// Reads the table; its keys have already been checked against ``tomlKeys``.
    init(toml table: TableReader) throws(ConfigError) {
        guard let header = try Self.headerName(table, "header") else {
            throw table.path.appending("header").missing(expected: Self.headerExpectation)
        }
        self.init(header: header)
        if let algorithm = try table.choice("algorithm", of: Algorithm.self) { self.algorithm = algorithm }
        if let encoding = try table.choice("encoding", of: Encoding.self) { self.encoding = encoding }
        if let prefix = try table.string("prefix") { self.prefix = prefix }
        timestampHeader = try Self.headerName(table, "timestamp_header")
    }

    private static func headerName(_ table: TableReader, _ key: String) throws(ConfigError) -> String? {
        guard let name = try table.nonEmptyString(key, expected: headerExpectation) else { return nil }
        guard ValueSyntax.isHeaderName(name) else {
            throw table.path.appending(key).invalid(expected: headerExpectation, found: FoundValue.quoted(name))
        }
        return name
    }
}
