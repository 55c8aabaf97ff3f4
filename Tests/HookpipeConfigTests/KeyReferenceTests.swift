import Foundation
import HookpipeVerification
import Testing

@testable import HookpipeConfig

/// The key reference in `PipelineConfig+TOML.swift` is the user's documentation;
/// it must not fall behind the keys the loader accepts.
@Suite("key reference")
struct KeyReferenceTests {
    @Test("the reference comment lists every accepted key")
    func everyKeyDocumented() throws {
        let sourceFile = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/HookpipeConfig/PipelineConfig+TOML.swift")
        let reference = try String(contentsOf: sourceFile, encoding: .utf8)
        let tables: [(String, [String])] = [
            ("[server]", ServerConfig.tomlKeys), ("[store]", StoreConfig.tomlKeys), ("[log]", LogConfig.tomlKeys),
            ("[[source]]", SourceConfig.tomlKeys.filter { $0 != "hmac" && $0 != "secret" }),
            ("[source.hmac]", GenericHMACSettings.tomlKeys),
            ("[chain]", ChainConfig.tomlKeys), ("[[stage]]", StageConfig.tomlKeys), ("[admin]", AdminConfig.tomlKeys),
        ]
        for (table, keys) in tables {
            #expect(reference.contains("/// \(table)"), "\(table) is not documented")
            for key in keys {
                #expect(reference.contains("/// \(key) = "), "\(table) \(key) is not documented")
            }
        }
        #expect(PipelineConfig.tomlKeys == ["server", "store", "log", "admin", "source", "chain", "stage"])
    }
}
