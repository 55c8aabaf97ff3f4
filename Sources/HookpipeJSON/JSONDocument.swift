import CJansson
import Glibc

/// A parsed JSON document owned by the current task.
///
/// It owns exactly one jansson reference and releases it once. jansson is not
/// thread-safe, so the type is deliberately not `Sendable`: a document stays in
/// the task that parsed it; only plain Swift values derived from it leave.
public final class JSONDocument {
    let root: OpaquePointer

    init(root: OpaquePointer) {
        self.root = root
    }

    deinit {
        hp_json_release(UnsafeMutablePointer(root))
    }

    /// Parses and validates `bytes` with jansson.
    ///
    /// Accepts an object or array at the top level, rejects duplicate object
    /// keys (ambiguous documents), invalid UTF-8, trailing garbage and nesting
    /// deeper than jansson's limit. `\u0000` escapes are valid JSON and are
    /// allowed. Integers beyond 64 bits are valid JSON too: they are accepted
    /// and held as reals (the raw bytes, not this document, are what is kept).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONDocument, JSONParseError> {
        JanssonRuntime.ensureSeeded()
        let flags = Int(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
        var error = json_error_t()
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        if let root = json_loadb(base, bytes.count, flags, &error) {
            return .success(JSONDocument(root: OpaquePointer(root)))
        }
        if json_error_code(&error) == json_error_numeric_overflow,
           let root = json_loadb(base, bytes.count, flags | Int(JSON_DECODE_INT_AS_REAL), &error) {
            return .success(JSONDocument(root: OpaquePointer(root)))
        }
        return .failure(JSONParseError(error))
    }

    /// Parses and validates `bytes`; see ``parse(_:)-(UnsafeRawBufferPointer)``.
    public static func parse(_ bytes: [UInt8]) -> Result<JSONDocument, JSONParseError> {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// Whether the top-level value is an object.
    public var isObject: Bool {
        hp_json_is_object(UnsafePointer(root)) != 0
    }

    /// The value at an RFC 6901 pointer (`/data/id`), as text: strings as
    /// they are, integers in decimal, reals in jansson's shortest form.
    /// `nil` when the pointer does not resolve or names an object, array,
    /// boolean or null.
    public func scalarText(at pointer: String) -> String? {
        guard let node = JSONPointer.resolve(pointer, in: UnsafeMutablePointer(root)) else { return nil }
        return JSONDocument.scalarText(of: node)
    }

    /// The document serialized again with two-space indentation, keys in
    /// their order (for people to read; the stored bytes stay as they were).
    public func pretty() -> String {
        guard let text = hp_json_dumps_pretty(UnsafePointer(root)) else { return "" }
        defer { free(text) }
        return String(cString: text)
    }

    /// The strings of the array at `pointer` (other elements are skipped);
    /// `nil` when the pointer does not name an array.
    public func strings(at pointer: String) -> [String]? {
        guard let node = JSONPointer.resolve(pointer, in: UnsafeMutablePointer(root)), hp_json_is_array(node) != 0 else { return nil }
        return (0..<json_array_size(node)).compactMap { index in
            json_array_get(node, index).flatMap { hp_json_is_string($0) != 0 ? JSONDocument.scalarText(of: $0) : nil }
        }
    }

    /// The value at `pointer` when it is `true` or `false`.
    public func boolean(at pointer: String) -> Bool? {
        guard let node = JSONPointer.resolve(pointer, in: UnsafeMutablePointer(root)) else { return nil }
        switch hp_json_typeof(node) {
        case Int32(JSON_TRUE.rawValue): return true
        case Int32(JSON_FALSE.rawValue): return false
        default: return nil
        }
    }

    static func scalarText(of node: UnsafeMutablePointer<json_t>) -> String? {
        if hp_json_is_string(node) != 0 {
            guard let chars = json_string_value(node) else { return nil }
            let length = json_string_length(node)
            return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
        }
        if hp_json_is_integer(node) != 0 {
            return String(json_integer_value(node))
        }
        if hp_json_is_real(node) != 0 {
            return String(json_real_value(node))
        }
        return nil
    }
}

/// Why jansson refused a document: its message and where it stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the error (0 when jansson gives none).
    public var line: Int
    /// 1-based column, counted in UTF-8 code points by jansson.
    public var column: Int
    /// Byte offset into the input.
    public var position: Int
    /// jansson's message, e.g. `end of file expected near 'x'`.
    public var message: String

    public init(line: Int, column: Int, position: Int, message: String) {
        self.line = line
        self.column = column
        self.position = position
        self.message = message
    }

    init(_ error: json_error_t) {
        var error = error
        let text = withUnsafeBytes(of: &error.text) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
        self.init(line: Int(error.line), column: Int(error.column), position: Int(error.position), message: text)
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
