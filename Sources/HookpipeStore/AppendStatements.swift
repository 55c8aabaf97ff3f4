import GRDB
import GRDBSQLite

/// The three statements the writer runs for every appended event, bound and
/// stepped through SQLite's C API.
///
/// GRDB prepares and caches them (``Database/cachedStatement(sql:)``) and
/// owns the transaction around them. Binding through GRDB boxes every
/// argument into a `DatabaseValue` array and needs the payload as `Data`
/// (one more copy of each body); here text is copied by SQLite once, and the
/// blobs are bound in place for the one step that reads them. Each call
/// leaves its statement reset with no bindings, as GRDB expects it.
///
/// Only for the writer, inside a write transaction of the `Database` it was
/// made from.
struct AppendStatements {
    private let findKey: Statement
    private let insertEvent: Statement
    private let rememberKey: Statement
    private let connection: SQLiteConnection

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the writer connection is closed")
        }
        self.connection = connection
        findKey = try db.cachedStatement(sql: "SELECT seq, expires_at FROM dedupe WHERE source = ? AND key = ?")
        insertEvent = try db.cachedStatement(
            sql: "INSERT INTO events (source, dedupe_key, received_at, metadata, payload) VALUES (?, ?, ?, ?, ?)")
        rememberKey = try db.cachedStatement(sql: "INSERT OR REPLACE INTO dedupe (source, key, seq, expires_at) VALUES (?, ?, ?, ?)")
    }

    /// The dedupe entry for `(source, key)`, expired or not.
    func dedupeEntry(source: String, key: String) throws -> (seq: Int64, expiresAtMicros: Int64)? {
        let statement = findKey.sqliteStatement
        defer { finish(statement) }
        try check(bindText(statement, 1, source))
        try check(bindText(statement, 2, key))
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return (sqlite3_column_int64(statement, 0), sqlite3_column_int64(statement, 1))
        case SQLITE_DONE: return nil
        case let code: throw error(code)
        }
    }

    /// Inserts `event` into the journal and returns its sequence number.
    func insert(_ event: IncomingEvent) throws -> Int64 {
        let statement = insertEvent.sqliteStatement
        defer { finish(statement) }
        try check(bindText(statement, 1, event.source))
        try check(bindText(statement, 2, event.dedupeKey))
        try check(sqlite3_bind_int64(statement, 3, event.receivedAtMicros))
        // SQLITE_STATIC: the blobs are read by the step inside these closures.
        return try event.metadata.withUnsafeBytes { metadata in
            try check(bindBlob(statement, 4, metadata))
            return try event.payload.withUnsafeBytes { payload in
                try check(bindBlob(statement, 5, payload))
                let code = sqlite3_step(statement)
                guard code == SQLITE_DONE else { throw error(code) }
                return sqlite3_last_insert_rowid(connection)
            }
        }
    }

    /// Points `(source, key)` at `seq` until `expiresAtMicros`.
    func remember(source: String, key: String, seq: Int64, expiresAtMicros: Int64) throws {
        let statement = rememberKey.sqliteStatement
        defer { finish(statement) }
        try check(bindText(statement, 1, source))
        try check(bindText(statement, 2, key))
        try check(sqlite3_bind_int64(statement, 3, seq))
        try check(sqlite3_bind_int64(statement, 4, expiresAtMicros))
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    private func finish(_ statement: SQLiteStatement) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    private func check(_ code: CInt) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    /// The connection's error for `code`, classified later by `StoreError.from`.
    private func error(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
    }

    /// Binds `text` as TEXT (SQLite copies it). An empty string is bound as
    /// `''`, never as NULL.
    private func bindText(_ statement: SQLiteStatement, _ index: CInt, _ text: String) -> CInt {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(statement, index, "", 0, transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(statement, index, $0, CInt(utf8.count), transient)
            }
        }
    }

    /// Binds `bytes` as a BLOB without copying; they must outlive the step.
    /// An empty one is bound as a zero-length BLOB, never as NULL.
    private func bindBlob(_ statement: SQLiteStatement, _ index: CInt, _ bytes: UnsafeRawBufferPointer) -> CInt {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return sqlite3_bind_zeroblob(statement, index, 0)
        }
        return sqlite3_bind_blob(statement, index, base, CInt(bytes.count), nil)
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies the value before the bind returns.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
