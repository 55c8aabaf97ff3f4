// hookpipe's append in plain C: the journal row, the dedupe lookup and entry,
// in SQLite's WAL with synchronous = FULL, the same schema and statements as
// Sources/HookpipeStore. Shared by bench/parts.c (CPU per event) and
// bench/ackserver.c (a whole durable ack with nothing else around it).
#ifndef HOOKPIPE_BENCH_ACKSTORE_H
#define HOOKPIPE_BENCH_ACKSTORE_H
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *find, *insert, *remember, *begin, *commit;
} ackstore;

static void ackstore_must(int ok, const char *what, sqlite3 *db) {
  if (ok) return;
  fprintf(stderr, "ackstore: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
  exit(1);
}

// A fresh database DIRECTORY/NAME (any older one and its WAL are removed).
static void ackstore_open(ackstore *s, const char *directory, const char *name) {
  char path[4096], stale[4200];
  snprintf(path, sizeof path, "%s/%s", directory, name);
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(stale, sizeof stale, "%s%s", path, suffixes[i]);
    remove(stale);
  }
  sqlite3 *db;
  ackstore_must(sqlite3_open(path, &db) == SQLITE_OK, "open", db);
  ackstore_must(sqlite3_exec(db,
                             "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                             "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL,"
                             " dedupe_key TEXT NOT NULL, received_at INTEGER NOT NULL, metadata BLOB NOT NULL, payload BLOB NOT NULL);"
                             "CREATE TABLE dedupe (source TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
                             " expires_at INTEGER NOT NULL, PRIMARY KEY (source, key)) WITHOUT ROWID;"
                             "CREATE INDEX dedupe_expiry ON dedupe (expires_at);",
                             NULL, NULL, NULL) == SQLITE_OK, "schema", db);
  s->db = db;
  ackstore_must(sqlite3_prepare_v2(db, "SELECT seq, expires_at FROM dedupe WHERE source = ? AND key = ?", -1, &s->find, NULL) == SQLITE_OK,
                "prepare", db);
  ackstore_must(sqlite3_prepare_v2(db, "INSERT INTO events (source, dedupe_key, received_at, metadata, payload) VALUES (?, ?, ?, ?, ?)",
                                   -1, &s->insert, NULL) == SQLITE_OK, "prepare", db);
  ackstore_must(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dedupe (source, key, seq, expires_at) VALUES (?, ?, ?, ?)", -1,
                                   &s->remember, NULL) == SQLITE_OK, "prepare", db);
  ackstore_must(sqlite3_prepare_v2(db, "BEGIN", -1, &s->begin, NULL) == SQLITE_OK, "prepare", db);
  ackstore_must(sqlite3_prepare_v2(db, "COMMIT", -1, &s->commit, NULL) == SQLITE_OK, "prepare", db);
}

static void ackstore_step(ackstore *s, sqlite3_stmt *statement, const char *what) {
  ackstore_must(sqlite3_step(statement) == SQLITE_DONE, what, s->db);
  sqlite3_reset(statement);
}

static void ackstore_begin(ackstore *s) { ackstore_step(s, s->begin, "begin"); }
static void ackstore_commit(ackstore *s) { ackstore_step(s, s->commit, "commit"); }

// Returns 1 when the event was stored, 0 when its key was a duplicate.
static int ackstore_append(ackstore *s, const char *source, const char *key, int key_length, long long now_us,
                           const void *metadata, int metadata_length, const void *body, int body_length) {
  int source_length = (int)strlen(source);
  sqlite3_bind_text(s->find, 1, source, source_length, SQLITE_STATIC);
  sqlite3_bind_text(s->find, 2, key, key_length, SQLITE_STATIC);
  int found = sqlite3_step(s->find);
  ackstore_must(found == SQLITE_ROW || found == SQLITE_DONE, "lookup", s->db);
  sqlite3_reset(s->find);
  if (found == SQLITE_ROW) return 0;
  sqlite3_bind_text(s->insert, 1, source, source_length, SQLITE_STATIC);
  sqlite3_bind_text(s->insert, 2, key, key_length, SQLITE_STATIC);
  sqlite3_bind_int64(s->insert, 3, now_us);
  sqlite3_bind_blob(s->insert, 4, metadata, metadata_length, SQLITE_STATIC);
  sqlite3_bind_blob(s->insert, 5, body, body_length, SQLITE_STATIC);
  ackstore_step(s, s->insert, "insert");
  sqlite3_bind_text(s->remember, 1, source, source_length, SQLITE_STATIC);
  sqlite3_bind_text(s->remember, 2, key, key_length, SQLITE_STATIC);
  sqlite3_bind_int64(s->remember, 3, sqlite3_last_insert_rowid(s->db));
  sqlite3_bind_int64(s->remember, 4, now_us + 3600000000LL);
  ackstore_step(s, s->remember, "remember");
  return 1;
}

static void ackstore_close(ackstore *s) {
  sqlite3_finalize(s->find); sqlite3_finalize(s->insert); sqlite3_finalize(s->remember);
  sqlite3_finalize(s->begin); sqlite3_finalize(s->commit);
  sqlite3_close(s->db);
}
#endif
