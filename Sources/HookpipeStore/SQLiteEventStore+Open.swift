import Foundation
import GRDB
import Logging

extension SQLiteEventStore {
    /// The daemon's (and the writing commands') connection pool: WAL mode,
    /// `synchronous = FULL` checked, schema migrated. Before SQLite replays
    /// the WAL, reports frames it would drop, as a full disk when the disk
    /// is full, else as possible damage.
    static func openForWriting(path: String, logger: Logger) throws(StoreError) -> DatabasePool {
        var configuration = Configuration()
        configuration.label = "hookpipe"
        configuration.busyMode = .timeout(5)
        if let wal = WALInspection.inspect(path: path + "-wal"), wal.damagedFrames > 0 {
            reportDroppedFrames(wal, path: path, freeBytes: DiskSpace.availableBytes(at: path), logger: logger)
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets `synchronous = NORMAL` on the pool's writer when it turns
            // WAL on, after any `prepareDatabase`; NORMAL does not sync the WAL on
            // commit. Set FULL on the writer now and check it took.
            let level = try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            guard level == 2 else {
                throw StoreError(.unavailable, "open \(path): SQLite kept synchronous = \(level.map(String.init) ?? "?") instead of FULL (2)")
            }
            try SQLiteSchema.migrator().migrate(pool)
            return pool
        } catch {
            throw StoreError.from(error, doing: "open \(path)")
        }
    }

    /// A read-only pool (`SQLITE_OPEN_READONLY` on every connection, and
    /// `PRAGMA query_only` on top): reads see the daemon's commits; nothing
    /// this process does can write the database or its WAL.
    static func openReadOnly(path: String) throws(StoreError) -> DatabasePool {
        var configuration = Configuration()
        configuration.label = "hookpipe-readonly"
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.from(error, doing: "open \(path) read-only")
        }
    }

    /// SQLite's recovery will drop `wal.damagedFrames` frames at the WAL's end.
    /// A write that a full disk cut short leaves such frames (never
    /// acknowledged: the commit failed); so does a crash mid-write, or disk damage.
    static func reportDroppedFrames(_ wal: WALInspection, path: String, freeBytes: Int64?, logger: Logger) {
        var metadata: Logger.Metadata = [
            "store.path": "\(path)-wal", "store.wal_intact_frames": "\(wal.committedFrames)",
            "store.wal_damaged_frames": "\(wal.damagedFrames)", "store.wal_damaged_at": "\(wal.damagedAt ?? 0)",
        ]
        if let freeBytes { metadata["store.disk_free_bytes"] = "\(freeBytes)" }
        if let freeBytes, DiskSpace.isFull(freeBytes: freeBytes) {
            logger.warning("the disk holding the store is full; the WAL ends in a write the full disk cut short, which SQLite discards (it was never acknowledged)",
                           metadata: metadata)
        } else {
            metadata["cause"] = "a write cut short by a crash or an earlier full disk (never acknowledged: commits are synced before the answer), or disk damage"
            logger.warning("the store's WAL ends in damaged frames; SQLite discards them and keeps every commit before them", metadata: metadata)
        }
    }
}

/// Free space on the file system holding a path (`statvfs`).
public enum DiskSpace {
    /// Below this many free bytes the store's disk counts as full: a commit
    /// needs several pages (4 KiB each) plus the WAL's frame headers.
    public static let fullBelowBytes: Int64 = 1 << 20

    /// Bytes an unprivileged process may still write where `path` (or, when
    /// it does not exist, its directory) lives; `nil` when `statvfs` fails.
    public static func availableBytes(at path: String) -> Int64? {
        var info = statvfs()
        let target = FileManager.default.fileExists(atPath: path) ? path : (path as NSString).deletingLastPathComponent
        guard statvfs(target.isEmpty ? "." : target, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Whether `freeBytes` is too little for another commit.
    public static func isFull(freeBytes: Int64) -> Bool {
        freeBytes < fullBelowBytes
    }
}
