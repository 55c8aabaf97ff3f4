import Testing

@testable import HookpipeConfig

@Suite("[store]")
struct StoreConfigTOMLTests {
    @Test("a relative state directory is resolved against the config file's directory")
    func relative() throws {
        let config = try load("[store]\nstate_directory = \"./var/state\"\n" + minimalSource).config
        #expect(config.store.stateDirectory == "/etc/hookpipe/var/state")
    }

    @Test("an absolute state directory is kept")
    func absolute() throws {
        let config = try load("[store]\nstate_directory = \"/var/lib/hookpipe\"\n" + minimalSource).config
        #expect(config.store.stateDirectory == "/var/lib/hookpipe")
        #expect(config.store.databasePath == "/var/lib/hookpipe/hookpipe.sqlite")
    }

    @Test("$STATE_DIRECTORY is used when the key is absent")
    func systemdStateDirectory() throws {
        let environment = ["STATE_DIRECTORY": "/var/lib/hookpipe:/var/lib/other"]
        #expect(try load(minimalSource, environment: environment).config.store.stateDirectory == "/var/lib/hookpipe")
        let explicit = try load("[store]\nstate_directory = \"/srv/state\"\n" + minimalSource, environment: environment)
        #expect(explicit.config.store.stateDirectory == "/srv/state")
        #expect(try load(minimalSource, environment: ["STATE_DIRECTORY": ""]).config.store.stateDirectory == "/etc/hookpipe/state")
    }

    @Test("max_batch must be positive; the state directory must not be empty")
    func invalid() {
        expectError(
            "[store]\nmax_batch = 0\n" + minimalSource, code: .invalidValue,
            containing: ["store.max_batch: expected a positive integer, found 0"])
        expectError(
            "[store]\nstate_directory = \"\"\n" + minimalSource, code: .invalidValue,
            containing: ["store.state_directory:", "found an empty string"])
    }

    @Test("unknown keys are refused")
    func unknownKey() {
        expectError(
            "[store]\nstate_dir = \"x\"\n" + minimalSource, code: .unknownKey,
            containing: ["store.state_dir: unknown key", "valid keys here: state_directory, max_batch"])
    }
}
