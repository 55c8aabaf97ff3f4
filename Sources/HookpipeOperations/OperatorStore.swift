public import HookpipeRecovery
public import HookpipeConfig
public import HookpipeStore
public import Logging
public import Foundation
import HookpipeDaemon

/// Opens the store a configuration names, from a process of its own next to
/// a running daemon (SQLite in WAL mode takes readers and writers of several
/// processes; writes wait for each other within the busy timeout).
public enum OperatorStore {
    /// The configured database, or ``OperationError/Code/noStore`` when it does
    /// not exist: operator commands never create a store, so a wrong
    /// `--config` cannot leave an empty one behind.
    ///
    /// - Parameters:
    ///   - configFile: named in the error.
    ///   - readOnly: for commands that only read (`status`, `tail`, `dlq list`,
    ///     `dlq show`): the store is opened so that nothing can be written to it.
    public static func open(_ config: PipelineConfig, configFile: String, readOnly: Bool = false,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger) async throws(OperationError) -> any EventStore {
        if config.store.backend == .postgresql {
            do {
                return try await StoreFactory.open(config.store, environment: environment, role: .operatorCommand(readOnly: readOnly),
                                                   logger: logger)
            } catch {
                throw OperationError(.store, "\(error)")
            }
        }
        let path = config.store.databasePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw OperationError(.noStore, "no store at \(path) (state_directory of \(configFile)); has `hookpipe run` ever started with this configuration?")
        }
        do {
            return try SQLiteEventStore(path: path, maxBatch: config.store.maxBatch, readOnly: readOnly, logger: logger)
        } catch {
            throw OperationError(.store, "cannot open the store \(path): \(error)")
        }
    }
}
