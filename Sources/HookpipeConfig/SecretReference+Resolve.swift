public import HookpipeVerification

extension SecretReference {
    /// Largest secret file read; anything bigger is surely the wrong file.
    static let maxFileBytes = 64 << 10

    /// The secret's value, read from where the reference points.
    ///
    /// - `env:NAME`: the variable in `environment`; unset or empty is an error.
    /// - `file:PATH`: the file's content with one trailing newline (`\n` or `\r\n`) removed.
    /// - `credential:NAME`: the file `NAME` in `credentialsDirectory` (systemd's
    ///   `$CREDENTIALS_DIRECTORY`), read like `file:`; an error when that is nil or empty.
    /// - a literal: itself.
    ///
    /// Messages name the reference (`env:MP_SECRET`, the file's path), never the value.
    /// - Parameters:
    ///   - environment: the daemon's environment (pass a dictionary in tests).
    ///   - credentialsDirectory: the value of `$CREDENTIALS_DIRECTORY`, if set.
    public func resolve(environment: [String: String], credentialsDirectory: String?) throws(ConfigError) -> Secret {
        switch self {
        case .environment(let name):
            guard let value = environment[name] else {
                throw ConfigError(.secretUnavailable, "\(self): environment variable \(name) is not set")
            }
            guard !value.isEmpty else {
                throw ConfigError(.secretUnavailable, "\(self): environment variable \(name) is empty")
            }
            return Secret(value)
        case .file(let path):
            return try Self.readSecretFile(path, reference: self)
        case .credential(let name):
            guard let directory = credentialsDirectory, !directory.isEmpty else {
                throw ConfigError(
                    .secretUnavailable,
                    "\(self): $CREDENTIALS_DIRECTORY is not set; systemd sets it for units with LoadCredential= or SetCredential=")
            }
            return try Self.readSecretFile(FileSystem.join(directory, name), reference: self)
        case .literal(let value):
            return Secret(value)
        }
    }

    private static func readSecretFile(_ path: String, reference: SecretReference) throws(ConfigError) -> Secret {
        let bytes: [UInt8]
        switch FileSystem.read(path: path, limit: maxFileBytes) {
        case .success(let content): bytes = content
        case .failure(let error): throw ConfigError(.secretUnavailable, "\(reference): cannot read \(path): \(error.reason)")
        }
        var trimmed = bytes[...]
        if trimmed.last == UInt8(ascii: "\n") {
            trimmed.removeLast()
            if trimmed.last == UInt8(ascii: "\r") { trimmed.removeLast() }
        }
        guard !trimmed.isEmpty else { throw ConfigError(.secretUnavailable, "\(reference): \(path) is empty") }
        guard let value = String(validating: trimmed, as: UTF8.self) else {
            throw ConfigError(.secretUnavailable, "\(reference): \(path) is not valid UTF-8 text")
        }
        return Secret(value)
    }
}

extension SourceConfig {
    /// Resolves every secret of the source, newest first, taking `$CREDENTIALS_DIRECTORY`
    /// from `environment`. Errors say which source and which secret: `source "stripe": secret #2: …`.
    public func resolveSecrets(environment: [String: String]) throws(ConfigError) -> [Secret] {
        var resolved: [Secret] = []
        for (index, reference) in secrets.enumerated() {
            do {
                resolved.append(try reference.resolve(environment: environment, credentialsDirectory: environment["CREDENTIALS_DIRECTORY"]))
            } catch {
                throw error.prefixed("source \"\(name)\": secret #\(index + 1)")
            }
        }
        return resolved
    }
}
