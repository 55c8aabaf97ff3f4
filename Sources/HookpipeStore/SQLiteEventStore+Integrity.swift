import GRDB

extension SQLiteEventStore {
    /// `PRAGMA quick_check` on a reader connection, beside normal traffic:
    /// every page of every table and index is read and its structure checked
    /// (about 2 s per GiB here). Returns at most 20 problems; empty when sound.
    public func checkIntegrity() async throws(StoreError) -> [String] {
        do {
            let report = try await pool.read { db in
                try String.fetchAll(db, sql: "PRAGMA quick_check(20)")
            }
            return report == ["ok"] ? [] : report
        } catch {
            throw StoreError.from(error, doing: "check the database's integrity")
        }
    }
}
