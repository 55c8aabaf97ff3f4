import Testing

@testable import HookpipeConfig

@Suite("[[stage]]")
struct StageConfigTOMLTests {
    /// One `[[stage]]` table; `nil` leaves a key out.
    private func stage(name: String? = "jq", command: String? = #"command = ["jq", "-c", "."]"#, _ extra: String = "") -> String {
        var lines = ["[[stage]]"]
        if let name { lines.append("name = \"\(name)\"") }
        if let command { lines.append(command) }
        if !extra.isEmpty { lines.append(extra) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A whole file: the minimal source, then `tables`.
    private func file(_ tables: String...) -> String {
        minimalSource + "\n" + tables.joined()
    }

    /// The stages of a file that must load.
    private func loadStages(_ tables: String...) throws -> [StageConfig] {
        try load(minimalSource + "\n" + tables.joined()).config.chain.stages
    }

    // MARK: name

    @Test("stages keep file order")
    func order() throws {
        let stages = try loadStages(stage(name: "a"), stage(name: "b"), stage(name: "c"))
        #expect(stages.map(\.name) == ["a", "b", "c"])
    }

    @Test("name is required; before it is known the stage is named by position")
    func missingName() {
        expectError(
            file(stage(), stage(name: nil)), code: .missingKey,
            containing: ["pipeline.conf: stage #2: name: required key is missing; expected a name like \"jq\""])
    }

    @Test("names follow the source name rules")
    func invalidName() {
        expectError(
            file(stage(name: "my stage")), code: .invalidValue,
            containing: [#"stage #1: name: expected a name like "jq" (letters, digits, ".", "_", "-"), found "my stage""#])
        expectError(file(stage(name: "")), code: .invalidValue, containing: ["stage #1: name:", "found an empty string"])
        expectError(file(stage(name: "-x")), code: .invalidValue, containing: [#"stage #1: name:"#, #"found "-x""#])
    }

    @Test("duplicate names are refused with both positions")
    func duplicateName() {
        expectError(
            file(stage(name: "a"), stage(), stage(name: "b"), stage()), code: .duplicate,
            containing: [#"pipeline.conf: stage "jq" (#4): name: stage #2 has the same name; names must be unique"#])
    }

    @Test("unknown keys are refused with the valid ones")
    func unknownKey() {
        expectError(
            file(stage(#"workdir = "/tmp""#)), code: .unknownKey,
            containing: [
                #"pipeline.conf: stage "jq" (#1): workdir: unknown key"#,
                "valid keys here: name, command, shell, environment, working_directory, backoff_min, backoff_max, "
                    + "healthy_after, fail_after, timeout, max_in_flight",
            ])
        expectError(file(stage("timout = 5")), code: .unknownKey, containing: [#"timout: unknown key (did you mean "timeout"?)"#])
    }

    // MARK: command and shell

    @Test("an array command is the argv")
    func argv() throws {
        let stages = try loadStages(stage(command: #"command = ["/usr/bin/env", "python3", "-u", "handler.py"]"#))
        #expect(stages.first?.command == ["/usr/bin/env", "python3", "-u", "handler.py"])
        #expect(stages.first?.shell == false)
        #expect(try loadStages(stage(command: #"command = ["cat"]"#, "shell = false")).first?.command == ["cat"])
    }

    @Test("with shell = true a string command runs through /bin/sh -c")
    func shellString() throws {
        let stages = try loadStages(stage(command: #"command = "jq -c . | gzip""#, "shell = true"))
        #expect(stages.first?.command == ["/bin/sh", "-c", "jq -c . | gzip"])
        #expect(stages.first?.shell == true)
    }

    @Test("a string command without shell = true says to use an array or set shell = true")
    func stringWithoutShell() {
        expectError(
            file(stage(command: #"command = "jq -c .""#)), code: .wrongType,
            containing: [
                #"pipeline.conf: stage "jq" (#1): command: expected an array of strings, the program and its arguments, like ["jq", "-c", "."], found the string "jq -c .""#,
                "write it as an array, or set shell = true to run the string with /bin/sh -c",
            ])
        expectError(
            file(stage(command: #"command = "jq -c .""#, "shell = false")), code: .wrongType, containing: ["or set shell = true"])
    }

    @Test("an array command with shell = true asks for one string")
    func arrayWithShell() {
        expectError(
            file(stage("shell = true")), code: .wrongType,
            containing: [
                #"stage "jq" (#1): command: with shell = true, expected one string for /bin/sh -c, like "jq -c . | gzip", found an array"#,
                "remove shell = true",
            ])
    }

    @Test("command is required, non-empty, and its program is not empty")
    func emptyCommand() {
        expectError(
            file(stage(command: nil)), code: .missingKey,
            containing: [#"stage "jq" (#1): command: required key is missing; expected an array of strings"#])
        expectError(
            file(stage(command: nil, "shell = true")), code: .missingKey,
            containing: [#"stage "jq" (#1): command: required key is missing; expected one string for /bin/sh -c"#])
        expectError(
            file(stage(command: "command = []")), code: .invalidValue,
            containing: [#"stage "jq" (#1): command: expected an array of strings"#, "found an empty array"])
        expectError(
            file(stage(command: #"command = ["", "x"]"#)), code: .invalidValue,
            containing: [#"stage "jq" (#1): command #1: expected a program name or path, like "jq""#, "found an empty string"])
        expectError(
            file(stage(command: #"command = "  ""#, "shell = true")), code: .invalidValue,
            containing: [#"stage "jq" (#1): command: expected one string for /bin/sh -c"#, "found an empty script"])
        expectError(
            file(stage(command: #"command = ["jq", 1]"#)), code: .wrongType,
            containing: [#"stage "jq" (#1): command #2: expected a string, found the integer 1"#])
        expectError(
            file(stage(command: "command = 5")), code: .wrongType, containing: ["command: expected an array", "found the integer 5"])
    }

    @Test("shell must be a boolean")
    func shellType() {
        expectError(
            file(stage(#"shell = "yes""#)), code: .wrongType,
            containing: [#"stage "jq" (#1): shell: expected true or false, found the string "yes""#])
    }

    // MARK: environment

    @Test("environment is a table of strings, inline or as [stage.environment]; PATH may be overridden")
    func environment() throws {
        let inline = try loadStages(stage(#"environment = { PATH = "/opt/bin", _PRIVATE = "1", Mixed_9 = "" }"#))
        #expect(inline.first?.environment == ["PATH": "/opt/bin", "_PRIVATE": "1", "Mixed_9": ""])
        let table = try loadStages(stage() + "[stage.environment]\nTOKEN = \"x\"\n")
        #expect(table.first?.environment == ["TOKEN": "x"])
    }

    @Test("variable names must be valid and not start with HOOKPIPE_")
    func environmentNames() {
        expectError(
            file(stage(#"environment = { "1ABC" = "x" }"#)), code: .invalidValue,
            containing: [#"stage "jq" (#1): environment: expected variable names like "API_URL""#, #"found "1ABC""#])
        expectError(
            file(stage(#"environment = { "MY-VAR" = "x" }"#)), code: .invalidValue, containing: [#"found "MY-VAR""#])
        expectError(
            file(stage(#"environment = { "" = "x" }"#)), code: .invalidValue, containing: [#"environment: expected variable names"#])
        expectError(
            file(stage(#"environment = { HOOKPIPE_STAGE = "x" }"#)), code: .invalidValue,
            containing: [
                #"stage "jq" (#1): environment.HOOKPIPE_STAGE: names starting with HOOKPIPE_ are reserved for the variables hookpipe sets"#
            ])
    }

    @Test("wrong-typed environment values are described by type only, never by value")
    func environmentValuesHidden() {
        let number = expectError(
            file(stage("environment = { PORT = 918273645 }")), code: .wrongType,
            containing: [#"stage "jq" (#1): environment.PORT: expected a string, found an integer"#])
        #expect(number?.message.contains("918273645") == false)
        let notTable = expectError(
            file(stage(#"environment = "TOKEN=hidden-value""#)), code: .wrongType,
            containing: [#"stage "jq" (#1): environment: expected a table of variables, like { API_URL = "https://example.com" }, found a string"#])
        #expect(notTable?.message.contains("hidden-value") == false)
    }

    // MARK: working directory

    @Test("a relative working_directory is resolved against the config file's directory")
    func workingDirectory() throws {
        #expect(try loadStages(stage(#"working_directory = "handlers/jq""#)).first?.workingDirectory == "/etc/hookpipe/handlers/jq")
        #expect(try loadStages(stage(#"working_directory = ".""#)).first?.workingDirectory == "/etc/hookpipe")
        #expect(try loadStages(stage(#"working_directory = "/srv/jq""#)).first?.workingDirectory == "/srv/jq")
        expectError(
            file(stage(#"working_directory = """#)), code: .invalidValue,
            containing: [#"stage "jq" (#1): working_directory: expected a directory"#, "found an empty string"])
    }

    // MARK: durations and counts

    @Test("durations must be positive", arguments: ["backoff_min", "backoff_max", "healthy_after", "timeout"])
    func positiveDurations(key: String) {
        expectError(
            file(stage("\(key) = \"0s\"")), code: .invalidValue,
            containing: [#"pipeline.conf: stage "jq" (#1): \#(key): expected a positive duration, found "0s""#])
        expectError(file(stage("\(key) = -1")), code: .invalidValue, containing: [#"\#(key): expected a positive duration, found -1"#])
    }

    @Test("counts must be positive", arguments: ["fail_after", "max_in_flight"])
    func positiveCounts(key: String) {
        expectError(
            file(stage("\(key) = 0")), code: .invalidValue,
            containing: [#"pipeline.conf: stage "jq" (#1): \#(key): expected a positive integer, found 0"#])
    }

    @Test("backoff_max must not be shorter than backoff_min; the key that was written is blamed")
    func backoffOrder() throws {
        expectError(
            file(stage("backoff_min = \"5s\"\nbackoff_max = \"1s\"")), code: .conflict,
            containing: [#"stage "jq" (#1): backoff_max: expected a duration no shorter than backoff_min = 5s, found 1s"#])
        expectError(
            file(stage("backoff_min = \"1m\"")), code: .conflict,
            containing: [#"stage "jq" (#1): backoff_min: expected a duration no longer than backoff_max = 30s (the default), found 1m"#])
        expectError(
            file(stage("backoff_max = \"50ms\"")), code: .conflict,
            containing: ["backoff_max: expected a duration no shorter than backoff_min = 100ms (the default), found 50ms"])
        let equal = try loadStages(stage("backoff_min = \"2s\"\nbackoff_max = 2"))
        #expect(equal.first?.backoffMin == .seconds(2))
        #expect(equal.first?.backoffMax == .seconds(2))
    }

    @Test("timeout must be longer than chain.flush_after, and the error says so")
    func timeoutAfterFlush() throws {
        expectError(
            file(stage(name: "a"), stage("timeout = \"1s\"")), code: .conflict,
            containing: [
                #"pipeline.conf: stage "jq" (#2): timeout: expected a duration longer than chain.flush_after (1s), found 1s; "#,
                "drained and restarted first",
            ])
        expectError(
            "[chain]\nflush_after = \"1m\"\n" + file(stage()), code: .conflict,
            containing: [#"stage "jq" (#1): timeout: expected a duration longer than chain.flush_after (1m), found 30s (the default)"#])
        let stages = try load("[chain]\nflush_after = \"500ms\"\n" + file(stage("timeout = \"501ms\""))).config.chain.stages
        #expect(stages.first?.timeout == .milliseconds(501))
    }
}
