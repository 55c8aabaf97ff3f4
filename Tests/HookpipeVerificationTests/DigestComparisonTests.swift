import Foundation
import HookpipeVerification
import Testing

/// Reads the module's sources to show that every scheme compares digests
/// only through `constantTimeEquals` (via `KeyRing.firstMatch`), so a `==`
/// on a digest, which stops at the first differing byte, cannot slip in.
@Suite struct DigestComparisonTests {
    struct SourceLine {
        let file: String
        let number: Int
        /// The line without comments and string literals.
        let code: String
        /// The nearest `func` declared above it.
        let function: String?
        var place: String { "\(file):\(number): \(code.trimmingCharacters(in: .whitespaces))" }
    }

    static let moduleDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/HookpipeVerification").path

    /// Every line of every Swift file of HookpipeVerification.
    static let lines: [SourceLine] = {
        let files = (FileManager.default.enumerator(atPath: moduleDirectory)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".swift") }.sorted()
        return files.flatMap { file -> [SourceLine] in
            let text = (try? String(contentsOfFile: moduleDirectory + "/" + file, encoding: .utf8)) ?? ""
            var function: String?
            return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, raw in
                let code = strip(String(raw))
                if let match = code.firstMatch(of: /\bfunc\s+(\w+)/) { function = String(match.1) }
                return SourceLine(file: file, number: index + 1, code: code, function: function)
            }
        }
    }()

    /// `line` without `//` comments and the contents of string literals.
    static func strip(_ line: String) -> String {
        line.replacing(/"(\\.|[^"\\])*"/, with: "\"\"").replacing(/\/\/.*$/, with: "")
    }

    @Test("the sources were found")
    func sourcesFound() {
        #expect(Self.lines.count > 500, "\(Self.moduleDirectory)")
        #expect(Self.lines.contains { $0.file.hasSuffix("ConstantTime.swift") })
    }

    /// The `==`/`!=` comparisons in `code` with an operand whose last component
    /// names a digest (`expected`, `received`, `candidate.digest`, …); `x.count`,
    /// `signatureHeader`, `hmac != nil`, `kind == .hmac` and the like are fine.
    static func digestComparisons(in code: String) -> [String] {
        let names = ["digest", "expected", "received", "candidate", "signature", "mac"]
        let tokens = code.matches(of: /[\w.$]+|[!=]=/).map { String($0.output) }
        return tokens.indices.compactMap { index in
            guard tokens[index] == "==" || tokens[index] == "!=", index > 0, index + 1 < tokens.count else { return nil }
            let operands = [tokens[index - 1], tokens[index + 1]]
            // `x == nil` and `kind == .hmac` compare no bytes.
            guard !operands.contains(where: { $0 == "nil" || $0.hasPrefix(".") }) else { return nil }
            let named = operands.contains { operand in
                let last = operand.split(separator: ".").last.map { $0.lowercased() } ?? ""
                let exempt = ["count", "header", "name", "index", "key"].contains { last.hasSuffix($0) }
                return !exempt && names.contains { last.contains($0) }
            }
            return named ? operands.joined(separator: " \(tokens[index]) ") : nil
        }
    }

    @Test("the check finds digest comparisons, and only those")
    func checkWorks() {
        #expect(Self.digestComparisons(in: "if expected == candidate {") == ["expected == candidate"])
        #expect(Self.digestComparisons(in: "return Array(mac) != self.receivedDigest") == ["mac != self.receivedDigest"])
        #expect(Self.digestComparisons(in: "guard digest.count == DigestAlgorithm.sha256.byteCount, x != nil") == [])
        #expect(Self.digestComparisons(in: "if name == Self.signatureHeader, kind != .hmac, hmac != nil {") == [])
    }

    @Test("no digest, signature or MAC is compared with == or !=, memcmp or elementsEqual")
    func noEarlyExitComparison() {
        let forbidden = /\b(memcmp|bcmp|elementsEqual|starts\(with)/
        for line in Self.lines where !line.file.hasSuffix("ConstantTime.swift") {
            #expect(Self.digestComparisons(in: line.code).isEmpty, "compare digests with constantTimeEquals: \(line.place)")
            #expect(line.code.firstMatch(of: forbidden) == nil, "compare digests with constantTimeEquals: \(line.place)")
        }
    }

    @Test("computed MACs are compared only in KeyRing.firstMatch, with constantTimeEquals; elsewhere they are only sent")
    func macsOnlyComparedInFirstMatch() {
        for line in Self.lines where line.code.contains("constantTimeEquals(") && !line.file.hasSuffix("ConstantTime.swift") {
            #expect(line.function == "firstMatch", "\(line.place)")
        }
        let firstMatch = Self.lines.filter { $0.function == "firstMatch" }
        #expect(firstMatch.contains { $0.code.contains("constantTimeEquals(") })
        for line in Self.lines where line.code.contains(".code(") {
            #expect(["firstMatch", "sign", "headers"].contains(line.function), "a MAC computed outside signing or firstMatch: \(line.place)")
        }
    }

    @Test("every signing scheme's verify goes through firstMatch")
    func everySchemeUsesFirstMatch() {
        let files = Dictionary(grouping: Self.lines, by: \.file)
        let schemes = files.keys.filter { $0.hasPrefix("Schemes/") }
        #expect(schemes.count == SchemeKind.allCases.count, "one file per scheme: \(schemes.sorted())")
        for file in schemes where file != "Schemes/UnsignedScheme.swift" {
            let verify = files[file, default: []].filter { $0.function == "verify" }
            let checks = verify.contains { $0.code.contains("firstMatch(") || $0.code.contains("digest.verify(") }
            #expect(checks, "\(file): verify neither calls keys.firstMatch nor HeaderDigest.verify")
        }
        let headerDigest = files["Support/HeaderDigest.swift", default: []].filter { $0.function == "verify" }
        #expect(headerDigest.contains { $0.code.contains("firstMatch(") })
    }
}
