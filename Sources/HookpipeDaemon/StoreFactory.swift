public import HookpipeConfig
public import HookpipeStore
public import HookpipeTelemetry
public import Logging
import HookpipePostgres

/// Opens the store `[store]` names: the SQLite file in the state directory,
/// or PostgreSQL through the URL its secret reference resolves to.
public enum StoreFactory {
    public enum Role: Sendable {
        /// `hookpipe run`: on PostgreSQL, takes part in the chain lease.
        case daemon
        /// An operator command next to running daemons.
        case operatorCommand(readOnly: Bool)
    }

    /// A store that could not be opened, or a `[store]` that cannot work;
    /// the message names the URL's source and never its content.
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func open(_ config: StoreConfig, environment: [String: String], role: Role, logger: Logger,
                            metrics: StoreMetrics = StoreMetrics()) async throws -> any EventStore {
        switch config.backend {
        case .sqlite:
            let readOnly = if case .operatorCommand(true) = role { true } else { false }
            return try SQLiteEventStore(path: config.databasePath, maxBatch: config.maxBatch, readOnly: readOnly, logger: logger,
                                        metrics: metrics)
        case .postgresql:
            let settings = try postgresSettings(config, environment: environment)
            let postgresRole: PostgresEventStore.Role = switch role {
            case .daemon: .daemon
            case .operatorCommand(let readOnly): .operatorCommand(readOnly: readOnly)
            }
            do {
                return try await PostgresEventStore.open(settings, role: postgresRole, logger: logger, metrics: metrics)
            } catch {
                throw OpenError(description: "cannot open the PostgreSQL store (url from \(config.url.map { "\($0)" } ?? "nowhere")): \(error)")
            }
        }
    }

    /// Resolves the URL's secret reference and parses it.
    static func postgresSettings(_ config: StoreConfig, environment: [String: String]) throws -> PostgresStoreSettings {
        guard let reference = config.url else {
            throw OpenError(description: #"[store] backend = "postgresql" needs url"#)
        }
        let secret = try reference.resolve(environment: environment, credentialsDirectory: environment["CREDENTIALS_DIRECTORY"])
        let url: PostgresConnectionURL
        do {
            url = try PostgresConnectionURL(secret.value.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw OpenError(description: "[store] url (\(reference)): \(error)")
        }
        return PostgresStoreSettings(url: url, poolSize: config.poolSize, connectTimeout: config.connectTimeout,
                                     operationTimeout: config.operationTimeout, maxBatch: config.maxBatch, leaseTTL: config.leaseTTL)
    }

    /// Checks `[store]` without connecting: with PostgreSQL, that the URL's
    /// secret resolves and parses (for `hookpipe check`; the error never
    /// contains the URL).
    public static func validate(_ config: StoreConfig, environment: [String: String]) throws {
        if config.backend == .postgresql { _ = try postgresSettings(config, environment: environment) }
    }

    /// Where the store is, for log lines: the SQLite file or the URL without its password.
    public static func location(_ config: StoreConfig, environment: [String: String]) -> String {
        switch config.backend {
        case .sqlite: config.databasePath
        case .postgresql: (try? postgresSettings(config, environment: environment)).map { "\($0.url)" } ?? "postgresql"
        }
    }
}
