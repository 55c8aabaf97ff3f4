import Testing

@testable import HookpipeConfig

@Suite("[log]")
struct LogConfigTOMLTests {
    @Test("every level name is accepted", arguments: LogConfig.Level.allCases)
    func levels(level: LogConfig.Level) throws {
        #expect(try load("[log]\nlevel = \"\(level.rawValue)\"\n" + minimalSource).config.log.level == level)
    }

    @Test("an unknown level lists the valid ones")
    func unknownLevel() {
        expectError(
            "[log]\nlevel = \"warn\"\n" + minimalSource, code: .invalidValue,
            containing: [
                #"log.level: expected one of "trace", "debug", "info", "notice", "warning", "error" or "critical", found "warn""#,
                #"did you mean "warning"?"#,
            ])
    }
}
