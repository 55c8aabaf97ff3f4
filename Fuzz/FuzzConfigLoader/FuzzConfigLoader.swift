// Fuzzes `ConfigLoader.load(string:baseDirectory:environment:)` — TOML
// parsing (TOMLKit/toml++) and every key's checks — with arbitrary
// pipeline.conf text (see Fuzz/Corpus/FuzzConfigLoader/). A file that loads
// is taken further, as `hookpipe check` does without touching files: its
// summary is rendered, and each source's `env:`/inline secrets are resolved
// and its scheme built.
//
// Checked, beyond "never traps": neither the summary nor a warning shows
// an inline secret.
import FuzzSupport
import HookpipeConfig
import HookpipeVerification

enum Harness: FuzzHarness {
    static let environment = [
        "STATE_DIRECTORY": "/var/lib/hookpipe",
        "HOOKPIPE_FUZZ_SECRET": "env-fuzz-secret-value",
        "STRIPE_SECRET": "whsec_fuzzStripeFromEnvironment",
    ]

    static func check(_ input: FuzzInput) {
        // As ConfigLoader.load(path:) does before it calls load(string:).
        guard let text = String(validating: input.bytes, as: UTF8.self) else { return }
        let loaded: LoadedConfig
        do {
            loaded = try ConfigLoader.load(string: text, baseDirectory: "/etc/hookpipe", environment: environment)
        } catch {
            _ = error.description
            return
        }
        let shown = ([loaded.config.summary()] + loaded.warnings.map(\.message)).joined(separator: "\n")
        for source in loaded.config.sources {
            var secrets: [Secret] = []
            for reference in source.secrets {
                switch reference {
                case .literal(let value):
                    // Only a value that appears once in the file can only have come from there.
                    if value.utf8.count >= 16, shown.contains(value), text.ranges(of: value).count == 1 {
                        fatalError("the summary or a warning shows the inline secret of source \(source.name)")
                    }
                    secrets.append(Secret(value))
                case .environment:
                    if let secret = try? reference.resolve(environment: environment, credentialsDirectory: nil) {
                        secrets.append(secret)
                    }
                case .file, .credential:
                    break  // no file system in a fuzz target
                }
            }
            _ = try? SignatureSchemes.make(source.scheme, secrets: secrets, tolerance: source.tolerance, hmac: source.hmac)
            _ = try? AddressAllowList(source.allowIPs)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Harness.check(FuzzInput(data, size))
    return 0
}

#if !HOOKPIPE_FUZZING
@main extension Harness {}  // replays files; libFuzzer has its own main
#endif
