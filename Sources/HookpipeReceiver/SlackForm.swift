import HookpipeJSON
import HookpipeVerification

/// Slack's form-encoded deliveries, turned into the JSON the pipeline carries.
///
/// Slack posts slash commands as `application/x-www-form-urlencoded` fields,
/// and interactivity (buttons, shortcuts, modal submissions) as one form
/// field, `payload`, that holds JSON. Both are signed over the raw body like
/// Events API deliveries, so the signature is checked first, on the bytes as
/// they came. Then the event becomes JSON: the `payload` field's text when
/// there is one, otherwise one object of every field as a string (a name
/// given twice keeps its last value, in the place of its first). Either way
/// Slack's legacy verification `token` is left out (see `SlackForm+Token.swift`).
enum SlackForm {
    /// Whether a `Content-Type` value names form encoding (parameters ignored).
    static func isForm(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        // A media type has no spaces inside; the ones around it are optional whitespace.
        return mediaType.lowercased().filter { $0 != " " && $0 != "\t" } == "application/x-www-form-urlencoded"
    }

    /// The delivery as JSON text; `nil` when the body is not well-formed form
    /// encoding (a `%` not followed by two hex digits, or text that is not UTF-8).
    static func json(from body: [UInt8]) -> [UInt8]? {
        guard let fields = fields(body) else { return nil }
        if let payload = fields.last(where: { $0.name == "payload" }) {
            return removingToken(from: Array(payload.value.utf8))
        }
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in fields where name != tokenName {
            if values.updateValue(value, forKey: name) == nil { order.append(name) }
        }
        var object = JSONObjectWriter(capacity: body.count + 16 * order.count)
        for name in order {
            object.set(name, values[name]!)
        }
        return object.serialized()
    }

    /// The `name=value` pairs of a form body, decoded (`+` is a space, `%XX`
    /// a byte); empty pairs (`a=1&&b=2`) are skipped.
    static func fields(_ body: [UInt8]) -> [(name: String, value: String)]? {
        var fields: [(name: String, value: String)] = []
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            guard let name = decode(pair[..<(equals ?? pair.endIndex)]),
                  let value = decode(equals.map { pair[pair.index(after: $0)...] } ?? []) else { return nil }
            fields.append((name, value))
        }
        return fields
    }

    private static func decode(_ encoded: ArraySlice<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard encoded.endIndex - index >= 3, let high = Hex.value(encoded[index + 1]), let low = Hex.value(encoded[index + 2]) else {
                    return nil
                }
                bytes.append(high << 4 | low)
                index += 2
            default:
                bytes.append(byte)
            }
            index += 1
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
