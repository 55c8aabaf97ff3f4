public import HookpipeConfig
public import HookpipeReceiver
public import HookpipeVerification

/// Turns configured sources into running ones: resolves secrets, builds the
/// scheme and the allow-list. Shared by `run`, `check` and `sign`, so that
/// `check` refuses exactly what `run` would refuse.
public enum SourceFactory {
    /// A source that could not be set up, with the source named.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// - Parameters:
    ///   - configFile: named in errors.
    ///   - environment: where `env:` secrets are read.
    public static func make(_ sources: [SourceConfig], configFile: String, environment: [String: String]) throws(SetupError) -> [SourceRuntime] {
        var runtimes: [SourceRuntime] = []
        for source in sources {
            runtimes.append(try make(source, configFile: configFile, environment: environment))
        }
        return runtimes
    }

    public static func make(_ source: SourceConfig, configFile: String, environment: [String: String]) throws(SetupError) -> SourceRuntime {
        let place = "\(configFile): source \"\(source.name)\""
        let secrets: [Secret]
        do {
            secrets = try source.resolveSecrets(environment: environment)
        } catch {
            throw SetupError(message: "\(configFile): \(error)")
        }
        let scheme: any SignatureScheme
        do {
            scheme = try SignatureSchemes.make(source.scheme, secrets: secrets, tolerance: source.tolerance, hmac: source.hmac)
        } catch {
            throw SetupError(message: "\(place): \(error)")
        }
        var allowList: AddressAllowList?
        if !source.allowIPs.isEmpty {
            do {
                allowList = try AddressAllowList(source.allowIPs)
            } catch {
                throw SetupError(message: "\(place): allow_ips: \(error)")
            }
        }
        return SourceRuntime(name: source.name, path: source.path, scheme: scheme, allowList: allowList,
                             dedupeKey: source.dedupeKeyRule, dedupeWindow: source.dedupeWindow)
    }

    /// `[server] trusted_proxies`, parsed; `nil` when none are configured.
    public static func trustedProxies(_ server: ServerConfig, configFile: String) throws(SetupError) -> TrustedProxies? {
        guard !server.trustedProxies.isEmpty else { return nil }
        do {
            return try TrustedProxies(server.trustedProxies)
        } catch {
            throw SetupError(message: "\(configFile): [server] trusted_proxies: entry \"\(error.entry)\": \(error.reason)")
        }
    }
}
