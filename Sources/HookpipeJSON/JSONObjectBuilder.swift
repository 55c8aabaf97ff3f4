import CJansson
import Glibc

/// Builds a JSON object with jansson and serialises it compactly.
///
/// Used for the envelope's metadata and small responses, so that every JSON
/// document hookpipe writes is produced by the same library that validates
/// what it reads. Strings that are not valid UTF-8 are written with U+FFFD
/// replacements rather than dropped.
public final class JSONObjectBuilder {
    private let object: UnsafeMutablePointer<json_t>

    public init() {
        JanssonRuntime.ensureSeeded()
        object = json_object()
    }

    /// Continues building the JSON object `bytes` holds (parsed and validated
    /// like ``JSONDocument/parse(_:)-([UInt8])``, members kept in their order);
    /// `nil` when `bytes` is not a valid JSON object.
    public init?(parsing bytes: [UInt8]) {
        guard case .success(let document) = JSONDocument.parse(bytes), document.isObject else { return nil }
        object = json_incref(UnsafeMutablePointer(document.root))
    }

    deinit {
        hp_json_release(object)
    }

    /// Removes `key` if present.
    public func remove(_ key: String) {
        json_object_del(object, key)
    }

    /// The integer at `key`, or `nil` when absent or not an integer.
    public func integer(_ key: String) -> Int64? {
        guard let value = json_object_get(object, key), hp_json_is_integer(value) != 0 else { return nil }
        return json_integer_value(value)
    }

    /// The string at `key`, or `nil` when absent or not a string.
    public func string(_ key: String) -> String? {
        guard let value = json_object_get(object, key), let text = JSONDocument.scalarText(of: value),
              hp_json_is_string(value) != 0 else { return nil }
        return text
    }

    public func set(_ key: String, _ value: String) {
        json_object_set_new(object, key, Self.string(value))
    }

    public func set(_ key: String, _ value: Int64) {
        json_object_set_new(object, key, json_integer(value))
    }

    public func set(_ key: String, _ value: Bool) {
        json_object_set_new(object, key, value ? json_true() : json_false())
    }

    public func set(_ key: String, _ values: [String]) {
        let array = json_array()
        for value in values {
            json_array_append_new(array, Self.string(value))
        }
        json_object_set_new(object, key, array)
    }

    /// Sets `key` to the object `nested` is building (shared, not copied).
    public func set(_ key: String, _ nested: JSONObjectBuilder) {
        json_object_set(object, key, nested.object)
    }

    /// Sets `key` to an array of the objects `elements` are building (shared, not copied).
    public func set(_ key: String, _ elements: [JSONObjectBuilder]) {
        let array = json_array()
        for element in elements {
            json_array_append(array, element.object)
        }
        json_object_set_new(object, key, array)
    }

    /// Sets `key` to `null`.
    public func setNull(_ key: String) {
        json_object_set_new(object, key, json_null())
    }

    /// The object in compact form, keys in insertion order.
    public func serialized() -> [UInt8] {
        guard let text = json_dumps(object, Int(JSON_COMPACT | JSON_PRESERVE_ORDER)) else { return Array("{}".utf8) }
        defer { free(text) }
        let length = strlen(text)
        return Array(UnsafeRawBufferPointer(start: text, count: length))
    }

    /// The object in compact form with one more member, `key`, whose value is
    /// `raw`, a validated JSON text spliced in byte for byte (not
    /// re-serialised; CR and LF become spaces, as in ``Envelope``).
    public func serialized(appendingRaw key: String, _ raw: [UInt8]) -> [UInt8] {
        var bytes = serialized()
        bytes.removeLast()
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        let name = JSONObjectBuilder()
        name.set("k", key)
        let quoted = name.serialized()
        // {"k":"…"} → "…"
        bytes.append(contentsOf: quoted[5..<(quoted.count - 1)])
        bytes.append(UInt8(ascii: ":"))
        for byte in raw {
            bytes.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func string(_ value: String) -> UnsafeMutablePointer<json_t>? {
        var value = value
        return value.withUTF8 { json_stringn(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
    }
}
