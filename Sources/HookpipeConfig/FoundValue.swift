import TOMLKit

/// How a value from the file is shown after "found" in an error message.
enum FoundValue {
    /// Longest part of a string shown before it is cut with `…`.
    static let maxShownCharacters = 60

    /// The value named with its type, for a wrong type: `the string "8080"`, `an array`.
    ///
    /// With `reveal` false (the value may be a secret) only the type is named.
    static func typed(_ value: any TOMLValueConvertible, reveal: Bool) -> String {
        switch value.type {
        case .string: reveal ? "the string \(quoted(value.string ?? ""))" : "a string"
        case .int: reveal ? "the integer \(value.int ?? 0)" : "an integer"
        case .double: reveal ? "the number \(value.double ?? 0)" : "a floating-point number"
        case .bool: reveal ? "the boolean \(value.bool ?? false)" : "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    /// A string as shown in messages: quoted, with control characters escaped, long ones shortened.
    static func quoted(_ text: String) -> String {
        if text.count <= maxShownCharacters { return String(reflecting: text) }
        return String(reflecting: String(text.prefix(maxShownCharacters))) + "…"
    }
}
