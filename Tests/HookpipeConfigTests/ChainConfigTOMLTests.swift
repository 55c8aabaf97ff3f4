import Testing

@testable import HookpipeConfig

@Suite("[chain]")
struct ChainConfigTOMLTests {
    static let fullFile = minimalSource + "\n" + """
        [chain]
        output = "file:out/events.ndjson"
        max_in_flight = 512
        flush_after = "2s"
        checkpoint_interval = "50ms"
        drain_timeout = "1m"
        poison_after = 1
        stderr_tail = 100

        [[stage]]
        name = "normalize"
        command = ["jq", "-c", "{id: .id, body: .body}"]
        environment = { JQ_COLORS = "0;31", PATH = "/opt/jq/bin:/usr/bin" }
        working_directory = "handlers"
        backoff_min = "250ms"
        backoff_max = "1m"
        healthy_after = 5
        fail_after = 10
        timeout = "10s"
        max_in_flight = 64

        [[stage]]
        name = "enrich"
        command = "./enrich.sh | tee -a enrich.log"
        shell = true
        working_directory = "/srv/enrich"

        [stage.environment]
        API_URL = "https://example.com/api"
        API_TOKEN = "token-value"

        [[stage]]
        name = "deliver"
        command = ["/usr/local/bin/deliver", "--to", "https://example.com/hook"]
        shell = false
        """

    @Test("a full [chain] with three [[stage]] tables loads into the expected model")
    func fullFile() throws {
        let loaded = try load(Self.fullFile)
        var expected = ChainConfig()
        expected.output = .file("/etc/hookpipe/out/events.ndjson")
        expected.maxInFlight = 512
        expected.flushAfter = .seconds(2)
        expected.checkpointInterval = .milliseconds(50)
        expected.drainTimeout = .seconds(60)
        expected.poisonAfter = 1
        expected.stderrTail = 100
        expected.stages = [
            StageConfig(
                name: "normalize", command: ["jq", "-c", "{id: .id, body: .body}"],
                environment: ["JQ_COLORS": "0;31", "PATH": "/opt/jq/bin:/usr/bin"], workingDirectory: "/etc/hookpipe/handlers",
                backoffMin: .milliseconds(250), backoffMax: .seconds(60), healthyAfter: .seconds(5), failAfter: 10,
                timeout: .seconds(10), maxInFlight: 64),
            StageConfig(
                name: "enrich", command: ["/bin/sh", "-c", "./enrich.sh | tee -a enrich.log"], shell: true,
                environment: ["API_URL": "https://example.com/api", "API_TOKEN": "token-value"], workingDirectory: "/srv/enrich"),
            StageConfig(name: "deliver", command: ["/usr/local/bin/deliver", "--to", "https://example.com/hook"], workingDirectory: "/etc/hookpipe"),
        ]
        #expect(loaded.config.chain == expected)
        #expect(loaded.config.sources.map(\.name) == ["stripe"])
        #expect(loaded.warnings.isEmpty)
    }

    @Test("absent [chain] and [[stage]] take the documented defaults: no stages")
    func defaults() throws {
        let chain = try load(minimalSource).config.chain
        #expect(chain == ChainConfig())
        #expect(chain.output == .discard)
        #expect(chain.maxInFlight == 1024)
        #expect(chain.flushAfter == .seconds(1))
        #expect(chain.checkpointInterval == .milliseconds(200))
        #expect(chain.drainTimeout == .seconds(30))
        #expect(chain.poisonAfter == 3)
        #expect(chain.stderrTail == 20)
        #expect(chain.stages.isEmpty)
        #expect(try load("[chain]\n" + minimalSource).config.chain == ChainConfig())
        #expect(try load("stage = []\n" + minimalSource).config.chain.stages.isEmpty)
    }

    @Test("a stage's optional keys take the documented defaults")
    func stageDefaults() throws {
        let stage = try #require(try load(minimalSource + "\n[[stage]]\nname = \"cat\"\ncommand = [\"cat\"]\n").config.chain.stages.first)
        #expect(stage == StageConfig(name: "cat", command: ["cat"], workingDirectory: "/etc/hookpipe"))
        #expect(!stage.shell)
        #expect(stage.environment.isEmpty)
        #expect(stage.workingDirectory == "/etc/hookpipe", "defaults to the config file's directory")
        #expect(stage.backoffMin == .milliseconds(100))
        #expect(stage.backoffMax == .seconds(30))
        #expect(stage.healthyAfter == .seconds(10))
        #expect(stage.failAfter == 5)
        #expect(stage.timeout == .seconds(30))
        #expect(stage.maxInFlight == 256)
    }

    // MARK: output

    @Test("output is discard, stdout, or a file resolved against the config directory")
    func output() throws {
        func output(_ text: String) throws -> ChainConfig.Output {
            try load("[chain]\noutput = \"\(text)\"\n" + minimalSource).config.chain.output
        }
        #expect(try output("discard") == .discard)
        #expect(try output("stdout") == .stdout)
        #expect(try output("file:events.ndjson") == .file("/etc/hookpipe/events.ndjson"))
        #expect(try output("file:./out/events.ndjson") == .file("/etc/hookpipe/out/events.ndjson"))
        #expect(try output("file:/var/log/hookpipe/events.ndjson") == .file("/var/log/hookpipe/events.ndjson"))
        #expect(ChainConfig.Output.file("/x").description == "file:/x")
    }

    @Test("a bad output lists the valid forms and suggests a fix")
    func badOutput() {
        expectError(
            "[chain]\noutput = \"stdot\"\n" + minimalSource, code: .invalidValue,
            containing: [
                #"pipeline.conf: chain.output: expected "discard", "stdout" or "file:PATH", like "file:events.ndjson", found "stdot""#,
                #"did you mean "stdout"?"#,
            ])
        expectError(
            "[chain]\noutput = \"file:\"\n" + minimalSource, code: .invalidValue,
            containing: [#"chain.output: expected a path after "file:""#, #"found "file:""#])
        expectError("[chain]\noutput = \"\"\n" + minimalSource, code: .invalidValue, containing: ["chain.output:", "found an empty string"])
        expectError("[chain]\noutput = 1\n" + minimalSource, code: .wrongType, containing: ["chain.output:", "found the integer 1"])
    }

    // MARK: bounds

    @Test("counts must be positive", arguments: ["max_in_flight", "poison_after", "stderr_tail"])
    func positiveCounts(key: String) {
        expectError(
            "[chain]\n\(key) = 0\n" + minimalSource, code: .invalidValue,
            containing: ["pipeline.conf: chain.\(key): expected a positive integer, found 0"])
        expectError(
            "[chain]\n\(key) = \"3\"\n" + minimalSource, code: .wrongType,
            containing: [#"chain.\#(key): expected a positive integer, found the string "3""#])
    }

    @Test("durations must be positive", arguments: ["flush_after", "checkpoint_interval", "drain_timeout"])
    func positiveDurations(key: String) {
        expectError(
            "[chain]\n\(key) = \"0ms\"\n" + minimalSource, code: .invalidValue,
            containing: [#"pipeline.conf: chain.\#(key): expected a positive duration, found "0ms""#])
        expectError(
            "[chain]\n\(key) = \"soon\"\n" + minimalSource, code: .invalidValue,
            containing: [#"chain.\#(key): expected a duration like "72h" or "7d""#, #"found "soon""#])
    }

    @Test("unknown keys in [chain] are refused with the valid ones")
    func unknownKey() {
        expectError(
            "[chain]\nflush_afer = \"1s\"\n" + minimalSource, code: .unknownKey,
            containing: [
                #"pipeline.conf: chain.flush_afer: unknown key (did you mean "flush_after"?)"#,
                "valid keys here: output, max_in_flight, flush_after, checkpoint_interval, drain_timeout, poison_after, stderr_tail",
            ])
    }

    @Test("[chain] and [stage] must have the right shape")
    func shapes() {
        expectError("chain = 1\n" + minimalSource, code: .wrongType, containing: ["chain: expected a table, found the integer 1"])
        expectError(
            "[stage]\nname = \"a\"\n" + minimalSource, code: .wrongType,
            containing: ["stage: expected [[stage]] tables (note the double brackets), found a table"])
    }
}
