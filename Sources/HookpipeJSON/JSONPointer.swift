import CJansson
import Foundation

/// RFC 6901 JSON pointers over a jansson tree.
enum JSONPointer {
    /// The node `pointer` names in `root`, borrowed (not retained), or `nil`.
    /// `""` names the root; `~1` and `~0` unescape to `/` and `~`.
    static func resolve(_ pointer: String, in root: UnsafeMutablePointer<json_t>) -> UnsafeMutablePointer<json_t>? {
        if pointer.isEmpty { return root }
        guard pointer.utf8.first == UInt8(ascii: "/") else { return nil }
        var node = root
        for rawToken in pointer.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            let token = unescape(String(decoding: rawToken, as: UTF8.self))
            if hp_json_is_object(node) != 0 {
                guard let child = json_object_get(node, token) else { return nil }
                node = child
            } else if hp_json_is_array(node) != 0 {
                guard let index = arrayIndex(token), let child = json_array_get(node, index) else { return nil }
                node = child
            } else {
                return nil
            }
        }
        return node
    }

    private static func unescape(_ token: String) -> String {
        // Byte search: Foundation's `contains` (CFStringFind) showed in the
        // receiver's profile, and a token is looked up on every request.
        guard token.utf8.contains(UInt8(ascii: "~")) else { return token }
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token == "0" || !token.hasPrefix("0"), let index = Int(token), index >= 0 else { return nil }
        return index
    }
}
