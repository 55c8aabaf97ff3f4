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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [HookpipeBinary.packageRoot + "/Fuzz/Corpus/" + harness]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = ReadAll(out.fileHandleForReading).text()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("without a crash"), "\(output)")
    }
}
