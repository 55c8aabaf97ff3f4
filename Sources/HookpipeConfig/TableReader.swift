import TOMLKit

/// Typed, checked access to one TOML table of `pipeline.conf`.
///
/// Every accessor returns nil for an absent key and throws a ``ConfigError``
/// naming the key path for a value of the wrong type or shape. Values of keys
/// read with `reveal: false` (secrets) never appear in a message.
struct TableReader {
    let table: TOMLTable
    let path: ConfigKeyPath

    /// The raw value at `key`, if present.
    func value(_ key: String) -> (any TOMLValueConvertible)? {
        table[key]
    }

    /// Whether `key` is present.
    func contains(_ key: String) -> Bool {
        value(key) != nil
    }

    /// The same table, reported under another scope (see ``ConfigKeyPath/scoped(_:)``).
    func scoped(_ label: String) -> TableReader {
        TableReader(table: table, path: path.scoped(label))
    }

    /// Throws for the first key (alphabetically) not in `allowed`, suggesting the closest valid one.
    func rejectUnknownKeys(_ allowed: [String]) throws(ConfigError) {
        guard let unknown = table.keys.filter({ !allowed.contains($0) }).sorted().first else { return }
        var detail = "unknown key"
        if let suggestion = Spelling.closest(to: unknown, among: allowed) {
            detail += " (did you mean \"\(suggestion)\"?)"
        }
        detail += "; valid keys here: " + allowed.joined(separator: ", ")
        throw path.appending(unknown).error(.unknownKey, detail)
    }

    // MARK: Scalars

    /// A string. With `reveal` false, a wrong-typed value is described by its type only.
    func string(_ key: String, reveal: Bool = true) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else {
            throw path.appending(key).mismatch(expected: "a string", found: FoundValue.typed(value, reveal: reveal))
        }
        return text
    }

    /// The required `name` of an array-of-tables entry (`[[source]]`, `[[stage]]`),
    /// read first so that every later message can say which entry it is about.
    func entryName(expected: String) throws(ConfigError) -> String {
        guard let name = try nonEmptyString("name", expected: expected) else {
            throw path.appending("name").missing(expected: expected)
        }
        guard ValueSyntax.isSourceName(name) else {
            throw path.appending("name").invalid(expected: expected, found: FoundValue.quoted(name))
        }
        return name
    }

    /// A string that is not empty; `expected` describes a valid value for the message.
    func nonEmptyString(_ key: String, expected: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else {
            throw path.appending(key).mismatch(expected: expected, found: FoundValue.typed(value, reveal: true))
        }
        guard !text.isEmpty else { throw path.appending(key).invalid(expected: expected, found: "an empty string") }
        return text
    }

    /// An integer for which `isValid` holds; `expected` describes the valid ones.
    func integer(_ key: String, expected: String, isValid: (Int) -> Bool) throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int else {
            throw path.appending(key).mismatch(expected: expected, found: FoundValue.typed(value, reveal: true))
        }
        guard isValid(number) else { throw path.appending(key).invalid(expected: expected, found: "\(number)") }
        return number
    }

    /// A positive integer (a size, a count).
    func positiveInteger(_ key: String) throws(ConfigError) -> Int? {
        try integer(key, expected: "a positive integer", isValid: { $0 > 0 })
    }

    /// A positive duration: a string such as `"10s"` or `"7d"`, or an integer number of seconds.
    func duration(_ key: String) throws(ConfigError) -> Duration? {
        guard let value = value(key) else { return nil }
        let expected = DurationSyntax.expectation
        if let seconds = value.int {
            guard seconds > 0 else { throw path.appending(key).invalid(expected: "a positive duration", found: "\(seconds)") }
            return .seconds(seconds)
        }
        guard let text = value.string else {
            throw path.appending(key).mismatch(expected: expected, found: FoundValue.typed(value, reveal: true))
        }
        guard let duration = DurationSyntax.parse(text) else {
            throw path.appending(key).invalid(expected: expected, found: FoundValue.quoted(text))
        }
        guard duration > .zero else {
            throw path.appending(key).invalid(expected: "a positive duration", found: FoundValue.quoted(text))
        }
        return duration
    }

    /// A boolean, `true` or `false` (not a string or number).
    func boolean(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else {
            throw path.appending(key).mismatch(expected: "true or false", found: FoundValue.typed(value, reveal: true))
        }
        return flag
    }

    /// One of the raw values of `T`, e.g. a ``LogConfig/Level`` name.
    func choice<T: CaseIterable & RawRepresentable>(_ key: String, of type: T.Type) throws(ConfigError) -> T?
    where T.RawValue == String {
        let names = T.allCases.map(\.rawValue)
        let expected = "one of " + Spelling.list(names)
        guard let value = value(key) else { return nil }
        guard let text = value.string else {
            throw path.appending(key).mismatch(expected: expected, found: FoundValue.typed(value, reveal: true))
        }
        if let choice = T(rawValue: text) { return choice }
        var found = FoundValue.quoted(text)
        if let suggestion = Spelling.closest(to: text, among: names) { found += " (did you mean \"\(suggestion)\"?)" }
        throw path.appending(key).invalid(expected: expected, found: found)
    }

    // MARK: Arrays and tables

    /// An array of strings. Elements are reported as `key #n`, or `elementLabel #n` when given.
    func stringArray(_ key: String, reveal: Bool = true, elementLabel: String? = nil) throws(ConfigError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else {
            throw path.appending(key).mismatch(
                expected: "an array of strings, like [\"a\", \"b\"]", found: FoundValue.typed(value, reveal: reveal))
        }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.string else {
                let elementPath = path.appending(elementLabel ?? key).element(index + 1)
                throw elementPath.mismatch(expected: "a string", found: FoundValue.typed(element, reveal: reveal))
            }
            strings.append(text)
        }
        return strings
    }

    /// A sub-table, e.g. `[server]` or `[source.hmac]`.
    func table(_ key: String) throws(ConfigError) -> TableReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else {
            throw path.appending(key).mismatch(expected: "a table", found: FoundValue.typed(value, reveal: true))
        }
        return TableReader(table: table, path: path.appending(key))
    }

    /// An array of tables, e.g. `[[source]]`; each element is scoped as `key #n`.
    func tableArray(_ key: String) throws(ConfigError) -> [TableReader]? {
        guard let value = value(key) else { return nil }
        let expected = "[[\(key)]] tables (note the double brackets)"
        guard let array = value.array else {
            throw path.appending(key).mismatch(expected: expected, found: FoundValue.typed(value, reveal: true))
        }
        var tables: [TableReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw path.appending(key).element(index + 1)
                    .mismatch(expected: expected, found: FoundValue.typed(element, reveal: true))
            }
            tables.append(TableReader(table: table, path: path.scoped("\(key) #\(index + 1)")))
        }
        return tables
    }
}
