import Foundation
import Testing

@testable import HookpipeConfig

/// The file name every in-memory test file is reported as.
let testFileName = "pipeline.conf"

/// The directory in-memory test files pretend to live in.
let testBaseDirectory = "/etc/hookpipe"

/// A valid `[[source]]` to complete files whose other tables are under test.
let minimalSource = """
    [[source]]
    name = "stripe"
    path = "/hooks/stripe"
    scheme = "stripe"
    secrets = ["env:STRIPE_SECRET"]
    """

/// Loads `toml` as `/etc/hookpipe/pipeline.conf` with a fake environment.
func load(_ toml: String, environment: [String: String] = [:]) throws(ConfigError) -> LoadedConfig {
    try ConfigLoader.load(string: toml, fileName: testFileName, baseDirectory: testBaseDirectory, environment: environment)
}

/// Loads `toml` expecting a ``ConfigError`` with `code` whose message starts with the
/// file name and contains every fragment; returns it for further checks.
@discardableResult
func expectError(
    _ toml: String, code: ConfigError.Code, containing fragments: [String],
    environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigError? {
    do {
        _ = try load(toml, environment: environment)
        Issue.record("expected a \(code) error, but the file loaded", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == code, "message: \(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.hasPrefix("\(testFileName):"), "message: \(error.message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "missing \(fragment) in: \(error.message)", sourceLocation: sourceLocation)
        }
        return error
    }
}

/// The single source of a file that must load.
func loadSource(_ toml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SourceConfig {
    let sources = try load(toml).config.sources
    return try #require(sources.first, sourceLocation: sourceLocation)
}

/// A fresh directory under the system's temporary directory, removed by `body`'s end.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("hookpipe-config-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Writes `contents` to `path`, creating or replacing the file.
func writeFile(_ path: String, _ contents: String) throws {
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
}
