// The CPU cost of the two parts of a durable ack that hookpipe cannot skip,
// in plain C, with nothing around them: jansson parsing the request body,
// and SQLite appending the event with hookpipe's schema (journal row, dedupe
// lookup and entry, WAL, synchronous = FULL) in transactions of BATCH events.
// bench/run.sh sets these next to the CPU nginx and hookpipe spend per
// request, to show what the c=64 target leaves for everything else.
//
//   parts BODY_FILE DIRECTORY BATCH EVENTS
//   -> {"jansson_us": ..., "sqlite_us": ..., "sqlite_user_us": ..., "sqlite_sys_us": ...}
//
// CPU time is getrusage (user + system), per body parsed / per event stored.
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void cpu(double *user, double *sys) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  *user = r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6;
  *sys = r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static void must(int ok, const char *what, sqlite3 *db) {
  if (ok) return;
  fprintf(stderr, "parts: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
  exit(1);
}

// jansson: parse the body as the receiver does (same flags), then free it.
static double jansson_us(const char *body, size_t length, int rounds) {
  double u0, s0, u1, s1;
  cpu(&u0, &s0);
  for (int i = 0; i < rounds; i++) {
    json_error_t error;
    json_t *root = json_loadb(body, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
    must(root != NULL, "json_loadb", NULL);
    json_decref(root);
  }
  cpu(&u1, &s1);
  return ((u1 - u0) + (s1 - s0)) / rounds * 1e6;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: parts BODY_FILE DIRECTORY BATCH EVENTS\n");
    return 2;
  }
  FILE *file = fopen(argv[1], "rb");
  must(file != NULL, "open the body file", NULL);
  static char body[1 << 16];
  size_t length = fread(body, 1, sizeof body, file);
  fclose(file);
  int batch = atoi(argv[3]), events = atoi(argv[4]);

  double parse = jansson_us(body, length, 200000);

  char path[4096], stale[4200];
  snprintf(path, sizeof path, "%s/parts.sqlite", argv[2]);
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {  // a fresh database every run
    snprintf(stale, sizeof stale, "%s%s", path, suffixes[i]);
    remove(stale);
  }
  sqlite3 *db;
  must(sqlite3_open(path, &db) == SQLITE_OK, "open", db);
  must(sqlite3_exec(db,
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                    "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL,"
                    " dedupe_key TEXT NOT NULL, received_at INTEGER NOT NULL, metadata BLOB NOT NULL, payload BLOB NOT NULL);"
                    "CREATE TABLE dedupe (source TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
                    " expires_at INTEGER NOT NULL, PRIMARY KEY (source, key)) WITHOUT ROWID;"
                    "CREATE INDEX dedupe_expiry ON dedupe (expires_at);",
                    NULL, NULL, NULL) == SQLITE_OK, "schema", db);
  sqlite3_stmt *find, *insert, *remember, *begin, *commit;
  must(sqlite3_prepare_v2(db, "SELECT seq, expires_at FROM dedupe WHERE source = ? AND key = ?", -1, &find, NULL) == SQLITE_OK, "prepare", db);
  must(sqlite3_prepare_v2(db, "INSERT INTO events (source, dedupe_key, received_at, metadata, payload) VALUES (?, ?, ?, ?, ?)",
                          -1, &insert, NULL) == SQLITE_OK, "prepare", db);
  must(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dedupe (source, key, seq, expires_at) VALUES (?, ?, ?, ?)", -1, &remember, NULL) == SQLITE_OK,
       "prepare", db);
  must(sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL) == SQLITE_OK, "prepare", db);
  must(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) == SQLITE_OK, "prepare", db);

  // The envelope metadata hookpipe stores next to a 1 KiB Stripe event is ~420 bytes.
  static char metadata[420];
  memset(metadata, 'm', sizeof metadata);
  long long now = (long long)time(NULL) * 1000000;
  char key[64];
  double u0, s0, u1, s1;
  cpu(&u0, &s0);
  for (int i = 0; i < events;) {
    must(sqlite3_step(begin) == SQLITE_DONE, "begin", db);
    sqlite3_reset(begin);
    for (int j = 0; j < batch && i < events; j++, i++) {
      int keyLength = snprintf(key, sizeof key, "evt_parts_%lld_%d", now, i);
      sqlite3_bind_text(find, 1, "stripe", 6, SQLITE_STATIC);
      sqlite3_bind_text(find, 2, key, keyLength, SQLITE_STATIC);
      int found = sqlite3_step(find);
      must(found == SQLITE_ROW || found == SQLITE_DONE, "lookup", db);
      sqlite3_reset(find);
      sqlite3_bind_text(insert, 1, "stripe", 6, SQLITE_STATIC);
      sqlite3_bind_text(insert, 2, key, keyLength, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 3, now);
      sqlite3_bind_blob(insert, 4, metadata, sizeof metadata, SQLITE_STATIC);
      sqlite3_bind_blob(insert, 5, body, (int)length, SQLITE_STATIC);
      must(sqlite3_step(insert) == SQLITE_DONE, "insert", db);
      sqlite3_reset(insert);
      sqlite3_bind_text(remember, 1, "stripe", 6, SQLITE_STATIC);
      sqlite3_bind_text(remember, 2, key, keyLength, SQLITE_STATIC);
      sqlite3_bind_int64(remember, 3, sqlite3_last_insert_rowid(db));
      sqlite3_bind_int64(remember, 4, now + 3600000000LL);
      must(sqlite3_step(remember) == SQLITE_DONE, "remember", db);
      sqlite3_reset(remember);
    }
    must(sqlite3_step(commit) == SQLITE_DONE, "commit", db);
    sqlite3_reset(commit);
  }
  cpu(&u1, &s1);
  sqlite3_finalize(find); sqlite3_finalize(insert); sqlite3_finalize(remember);
  sqlite3_finalize(begin); sqlite3_finalize(commit);
  sqlite3_close(db);
  printf("{\"jansson_us\": %.2f, \"sqlite_us\": %.2f, \"sqlite_user_us\": %.2f, \"sqlite_sys_us\": %.2f, \"batch\": %d, \"events\": %d}\n",
         parse, ((u1 - u0) + (s1 - s0)) / events * 1e6, (u1 - u0) / events * 1e6, (s1 - s0) / events * 1e6, batch, events);
  return 0;
}
