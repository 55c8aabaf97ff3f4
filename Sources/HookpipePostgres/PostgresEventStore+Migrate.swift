import Logging
import PostgresNIO
import HookpipeStore
import HookpipeSync

extension PostgresEventStore {
    /// hookpipe's advisory lock id for migrations ("hookpipe" in ASCII, as a bigint).
    static let migrationLockID: Int64 = 0x686F_6F6B_7069_7065

    /// Brings the schema to ``PostgresSchema/latest`` in one transaction
    /// that first takes a transaction-scoped advisory lock: nodes starting
    /// together wait for each other, and the second finds the work done.
    /// A database at a newer version than this build knows is refused.
    static func migrate(_ client: PostgresClient, logger: Logger, timeout: Duration) async throws {
        try await withDeadline(max(timeout * 3, .seconds(30))) {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.rows("SELECT pg_advisory_xact_lock(\(migrationLockID))", logger: logger)
                try await connection.rows("CREATE SCHEMA IF NOT EXISTS hookpipe", logger: logger)
                try await connection.rows("""
                    CREATE TABLE IF NOT EXISTS hookpipe.schema_migrations (
                        version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied: Set<Int> = []
                for row in try await connection.rows("SELECT version FROM hookpipe.schema_migrations", logger: logger) {
                    applied.insert(Int(try row.decode(Int32.self)))
                }
                if let newest = applied.max(), newest > PostgresSchema.latest {
                    throw StoreError(.unavailable, "the database's hookpipe schema is at version \(newest), newer than this build knows (\(PostgresSchema.latest)); upgrade hookpipe")
                }
                for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                    for statement in PostgresSchema.statements(migration.sql) {
                        try await connection.rows(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.rows(
                        "INSERT INTO hookpipe.schema_migrations (version) VALUES (\(Int32(migration.version)))", logger: logger)
                    logger.notice("store schema migrated", metadata: ["store.schema_version": "\(migration.version)"])
                }
            }
        }
    }
}
