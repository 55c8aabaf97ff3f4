import HookpipeVerification

/// `[[source]]`; keys and defaults are listed in `PipelineConfig+TOML.swift`.
///
/// Messages about a source are scoped by its name once it is known
/// (`source "stripe": dedupe_window: …`), by its position before (`source #2: name: …`).
extension SourceConfig {
    static let tomlKeys = [
        "name", "path", "scheme", "secret", "secrets", "tolerance", "dedupe_key", "dedupe_window", "allow_ips", "hmac",
    ]

    private static let nameExpectation = #"a name like "stripe" (letters, digits, ".", "_", "-")"#
    private static let pathExpectation = ##"an HTTP path starting with "/", like "/hooks/stripe", without "?" or "#""##
    private static var schemeExpectation: String { "one of " + Spelling.list(SchemeKind.allCases.map(\.rawValue)) }

    /// Reads the array of tables `key`: at least one source, names and paths unique.
    static func readAll(_ key: String, from root: TableReader, context: inout DecodingContext) throws(ConfigError) -> [SourceConfig] {
        let tables = try root.tableArray(key) ?? []
        guard !tables.isEmpty else {
            throw root.path.appending(key).error(
                .missingKey, "at least one [[\(key)]] table is required, with the sender's name, path and scheme")
        }
        var sources: [SourceConfig] = []
        for (index, table) in tables.enumerated() {
            let source = try SourceConfig(toml: table, context: &context)
            let scope = root.path.scoped("\(key) \"\(source.name)\" (#\(index + 1))")
            if let earlier = sources.firstIndex(where: { $0.name == source.name }) {
                throw scope.appending("name").error(.duplicate, "source #\(earlier + 1) has the same name; names must be unique")
            }
            if let earlier = sources.first(where: { $0.path == source.path }) {
                throw scope.appending("path").error(
                    .duplicate, "\(FoundValue.quoted(source.path)) is also the path of source \"\(earlier.name)\"; paths must be unique")
            }
            sources.append(source)
        }
        return sources
    }

    /// Reads one `[[source]]` table.
    init(toml element: TableReader, context: inout DecodingContext) throws(ConfigError) {
        let name = try element.entryName(expected: Self.nameExpectation)
        let table = element.scoped("source \"\(name)\"")
        try table.rejectUnknownKeys(Self.tomlKeys)

        guard let path = try table.nonEmptyString("path", expected: Self.pathExpectation) else {
            throw table.path.appending("path").missing(expected: Self.pathExpectation)
        }
        guard path.hasPrefix("/"), !path.contains("?"), !path.contains("#"), !ValueSyntax.containsSpaceOrControl(path) else {
            throw table.path.appending("path").invalid(expected: Self.pathExpectation, found: FoundValue.quoted(path))
        }
        guard let scheme = try table.choice("scheme", of: SchemeKind.self) else {
            throw table.path.appending("scheme").missing(expected: Self.schemeExpectation)
        }

        self.init(name: name, path: path, scheme: scheme)
        secrets = try Self.readSecrets(table, scheme: scheme, context: &context)
        tolerance = try table.duration("tolerance")
        if let text = try table.string("dedupe_key") {
            do { dedupeKey = try DedupeKeyRule.parse(text) } catch { throw table.path.appending("dedupe_key").invalid(error) }
        }
        if let window = try table.duration("dedupe_window") { dedupeWindow = window }
        allowIPs = try Self.readAllowIPs(table, scheme: scheme)
        hmac = try Self.readHMAC(table, scheme: scheme)
    }

    /// `secret = "…"` or `secrets = […]`: required unless the scheme is `none`, refused for it.
    private static func readSecrets(
        _ table: TableReader, scheme: SchemeKind, context: inout DecodingContext
    ) throws(ConfigError) -> [SecretReference] {
        if table.contains("secret"), table.contains("secrets") {
            throw table.path.appending("secret").error(.conflict, "write either secret (one) or secrets (a list), not both")
        }
        let key = table.contains("secret") ? "secret" : "secrets"
        var texts: [String] = []
        if let single = try table.string("secret", reveal: false) {
            texts = [single]
        } else if let list = try table.stringArray("secrets", reveal: false, elementLabel: "secret") {
            texts = list
        }

        if scheme == SchemeKind.none {
            guard texts.isEmpty else {
                throw table.path.appending(key).error(
                    .conflict, #"scheme "none" checks no signature, so it takes no secrets; remove \#(key) or choose the sender's scheme"#)
            }
            return []
        }
        guard !texts.isEmpty else {
            let variable = String(scheme.rawValue.uppercased().map { $0 == "-" ? "_" : $0 }) + "_SECRET"
            throw table.path.appending("secrets").error(
                .missingKey, #"scheme "\#(scheme)" needs at least one secret, like secrets = ["env:\#(variable)"]"#)
        }
        var references: [SecretReference] = []
        for (index, text) in texts.enumerated() {
            let label = "secret #\(index + 1)"
            let reference: SecretReference
            do { reference = try SecretReference.parse(text, baseDirectory: context.baseDirectory) } catch {
                throw table.path.appending(label).invalid(error)
            }
            if case .literal = reference {
                context.warn(.inlineSecret, at: table.path, "\(label) is written inline; prefer env:, file: or credential:")
            }
            references.append(reference)
        }
        return references
    }

    /// `allow_ips`: optional, but required and non-empty for scheme `none`. CIDR syntax is checked by the receiver.
    private static func readAllowIPs(_ table: TableReader, scheme: SchemeKind) throws(ConfigError) -> [String] {
        let expectation = #"addresses or CIDRs like ["10.0.0.0/8", "2001:db8::/32"]"#
        let entries = try table.stringArray("allow_ips") ?? []
        for (index, entry) in entries.enumerated() where entry.isEmpty || ValueSyntax.containsSpaceOrControl(entry) {
            throw table.path.appending("allow_ips").element(index + 1)
                .invalid(expected: "an address or CIDR like \"10.0.0.0/8\"", found: FoundValue.quoted(entry))
        }
        if scheme == SchemeKind.none, entries.isEmpty {
            throw table.path.appending("allow_ips").error(
                .missingKey, #"scheme "none" checks no signature, so allow_ips must list who may post: \#(expectation)"#)
        }
        return entries
    }

    /// `[source.hmac]`: required for scheme `hmac`, refused for the others.
    private static func readHMAC(_ table: TableReader, scheme: SchemeKind) throws(ConfigError) -> GenericHMACSettings? {
        let hmacTable = try table.table("hmac")
        guard scheme == .hmac else {
            guard hmacTable == nil else {
                throw table.path.appending("hmac").error(
                    .conflict, #"[source.hmac] is only for scheme "hmac"; this source's scheme is "\#(scheme)""#)
            }
            return nil
        }
        guard let hmacTable else {
            throw table.path.appending("hmac").error(
                .missingKey, #"scheme "hmac" needs a [source.hmac] table, at least with header = "X-Signature""#)
        }
        try hmacTable.rejectUnknownKeys(GenericHMACSettings.tomlKeys)
        return try GenericHMACSettings(toml: hmacTable)
    }
}
