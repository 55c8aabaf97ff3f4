import GRDB

/// The embedded store's tables, as versioned migrations.
///
/// - `events`: the journal. `seq` is `AUTOINCREMENT`, so numbers are never
///   reused even after the newest rows are pruned.
/// - `dedupe`: one row per `(source, key)` with the event it points to and
///   the instant the key stops counting as a duplicate.
/// - `checkpoints`: per consumer, the highest sequence number it settled.
/// - `dead_letters`: events a stage could not process, with why and its stderr;
///   indexed by `seq` (v3) for the console.
enum SQLiteSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    source TEXT NOT NULL,
                    dedupe_key TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    metadata BLOB NOT NULL,
                    payload BLOB NOT NULL
                );
                CREATE TABLE dedupe (
                    source TEXT NOT NULL,
                    key TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (source, key)
                ) WITHOUT ROWID;
                CREATE INDEX dedupe_expiry ON dedupe (expires_at);
                CREATE TABLE checkpoints (
                    consumer TEXT PRIMARY KEY,
                    seq INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-dead-letters") { db in
            try db.execute(sql: """
                CREATE TABLE dead_letters (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    seq INTEGER NOT NULL,
                    stage TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    stderr_tail TEXT NOT NULL,
                    line BLOB NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
        }
        // The console lists an event's dead letters, and only dead-lettered
        // events, by seq. Only dead-letter writes maintain it, never an append.
        migrator.registerMigration("v3-dead-letters-by-seq") { db in
            try db.execute(sql: "CREATE INDEX dead_letters_seq ON dead_letters (seq)")
        }
        return migrator
    }
}
