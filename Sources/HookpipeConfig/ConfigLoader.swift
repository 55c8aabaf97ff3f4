import TOMLKit

/// Loads `pipeline.conf` into a ``PipelineConfig``.
///
/// Loading checks everything that can be checked without touching the network
/// or the secrets: unknown keys, types, ranges, required keys, unique source
/// names and paths, unique stage names, scheme-specific rules. Secrets stay references until
/// ``SourceConfig/resolveSecrets(environment:)`` or
/// ``SecretReference/resolve(environment:credentialsDirectory:)`` reads them.
/// The key reference is in `PipelineConfig+TOML.swift`.
public enum ConfigLoader {
    /// Largest configuration file accepted.
    static let maxFileBytes = 4 << 20

    /// Reads and checks the file at `path`.
    ///
    /// Relative paths in the file are resolved against the file's directory.
    /// - Parameters:
    ///   - path: the configuration file; messages name it as written here.
    ///   - environment: the daemon's environment (for `$STATE_DIRECTORY`); never mutated.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> LoadedConfig {
        let bytes: [UInt8]
        switch FileSystem.read(path: path, limit: maxFileBytes) {
        case .success(let content): bytes = content
        case .failure(let error): throw ConfigError(.unreadableFile, "\(path): cannot read: \(error.reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(.unreadableFile, "\(path): not valid UTF-8 text")
        }
        let baseDirectory = FileSystem.directory(of: FileSystem.absolute(path))
        return try load(string: text, fileName: path, baseDirectory: baseDirectory, environment: environment)
    }

    /// Checks configuration text that did not come from a file (or was read already).
    /// - Parameters:
    ///   - string: the TOML text.
    ///   - fileName: how messages name the source of the text.
    ///   - baseDirectory: what relative paths in the text are resolved against.
    ///   - environment: the daemon's environment (for `$STATE_DIRECTORY`); never mutated.
    public static func load(
        string: String, fileName: String = "pipeline.conf", baseDirectory: String, environment: [String: String]
    ) throws(ConfigError) -> LoadedConfig {
        let root = try parse(string, fileName: fileName)
        var context = DecodingContext(fileName: fileName, baseDirectory: baseDirectory, environment: environment)
        let config = try PipelineConfig(toml: TableReader(table: root, path: ConfigKeyPath(fileName: fileName)), context: &context)
        return LoadedConfig(config: config, warnings: context.warnings)
    }

    /// Parses TOML, turning syntax errors into `file:line:column: …` messages.
    private static func parse(_ text: String, fileName: String) throws(ConfigError) -> TOMLTable {
        // Input TOMLKit mishandles is refused first (ConfigLoader+Guards.swift).
        // The parser reads a C string; a NUL would silently end the file early.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].count(where: { $0 == UInt8(ascii: "\n") }) + 1
            throw ConfigError(.syntax, "\(fileName):\(line): contains a NUL character; is this a text file?")
        }
        if let line = escapedNULLine(in: text) {
            throw ConfigError(.syntax, "\(fileName):\(line): contains the escape \\u0000 (NUL), which no value can hold")
        }
        switch firstGuardedProblem(in: text) {
        case .tableHeader(let line):
            throw ConfigError(.syntax, "\(fileName):\(line): invalid TOML: expected a table name after '[' or '[[', like [server] or [[source]]")
        case .dateTime(let line):
            throw ConfigError(.syntax, "\(fileName):\(line): invalid TOML: a date-time needs a time (hh:mm:ss) right after the 'T'; "
                              + "no setting here takes a date: quote the value if it is text")
        case nil:
            break
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw ConfigError(.syntax, "\(fileName):\(position.line):\(position.column): invalid TOML: \(error.description)")
        } catch {
            throw ConfigError(.syntax, "\(fileName): invalid TOML: \(error)")
        }
    }
}
