import Foundation
import Testing

/// Every seed (and every crash input kept as a regression seed) in
/// Fuzz/Corpus/ still runs through its harness without a trap, with the
/// harnesses as the normal build makes them (replaying files, no libFuzzer).
@Suite("fuzz corpora replay")
struct FuzzCorpusTests {
    @Test("each harness replays its committed corpus", arguments: ["FuzzSignatureHeaders", "FuzzNDJSONLines", "FuzzConfigLoader"])
    func replay(harness: String) throws {
        let binary = try #require(HookpipeBinary.builtProduct(harness), "\(harness) is built with the tests")
        let result = try HookpipeBinary.run([HookpipeBinary.packageRoot + "/Fuzz/Corpus/" + harness], executable: binary)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("without a crash"), "\(result.stdout)\(result.stderr)")
    }
}
