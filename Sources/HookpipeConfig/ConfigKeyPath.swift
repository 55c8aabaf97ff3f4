/// Where a value sits in `pipeline.conf`, for error messages.
///
/// Rendered as `server.port`, `source "stripe": dedupe_window` or
/// `source #2: hmac.header`: a scope for an element of an array of tables,
/// then the dotted keys inside it.
struct ConfigKeyPath: Sendable, CustomStringConvertible {
    /// The configuration file as the user named it; every message starts with it.
    let fileName: String
    /// The element of an array of tables, e.g. `source "stripe"`; nil at the top level.
    private(set) var scope: String?
    /// Keys inside the scope.
    private(set) var keys: [String] = []

    init(fileName: String) {
        self.fileName = fileName
    }

    /// The path of `key` inside this table.
    func appending(_ key: String) -> ConfigKeyPath {
        var copy = self
        copy.keys.append(key)
        return copy
    }

    /// The path of element `number` (1-based) of the array at this path, shown as `key #number`.
    func element(_ number: Int) -> ConfigKeyPath {
        var copy = self
        let last = copy.keys.popLast() ?? ""
        copy.keys.append("\(last) #\(number)")
        return copy
    }

    /// A new scope for one table of an array of tables; keys start again inside it.
    func scoped(_ label: String) -> ConfigKeyPath {
        var copy = self
        copy.scope = label
        copy.keys = []
        return copy
    }

    var description: String {
        let dotted = keys.joined(separator: ".")
        switch (scope, dotted.isEmpty) {
        case (nil, _): return dotted
        case (let scope?, true): return scope
        case (let scope?, false): return "\(scope): \(dotted)"
        }
    }

    /// An error about the value at this path: `file: path: detail`.
    func error(_ code: ConfigError.Code, _ detail: String) -> ConfigError {
        let location = description
        return ConfigError(code, location.isEmpty ? "\(fileName): \(detail)" : "\(fileName): \(location): \(detail)")
    }

    /// The value has the wrong TOML type; `found` names it (see ``FoundValue``).
    func mismatch(expected: String, found: String) -> ConfigError {
        error(.wrongType, "expected \(expected), found \(found)")
    }

    /// The key is required but absent.
    func missing(expected: String) -> ConfigError {
        error(.missingKey, "required key is missing; expected \(expected)")
    }

    /// The value has the right type but is not allowed.
    func invalid(expected: String, found: String) -> ConfigError {
        error(.invalidValue, "expected \(expected), found \(found)")
    }
}
