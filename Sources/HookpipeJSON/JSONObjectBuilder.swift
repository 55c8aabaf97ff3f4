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

    deinit {
        hp_json_release(object)
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

    /// The object in compact form, keys in insertion order.
    public func serialized() -> [UInt8] {
        guard let text = json_dumps(object, Int(JSON_COMPACT | JSON_PRESERVE_ORDER)) else { return Array("{}".utf8) }
        defer { free(text) }
        let length = strlen(text)
        return Array(UnsafeRawBufferPointer(start: text, count: length))
    }

    private static func string(_ value: String) -> UnsafeMutablePointer<json_t>? {
        var value = value
        return value.withUTF8 { json_stringn(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
    }
}
