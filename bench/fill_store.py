#!/usr/bin/env python3
"""Benchmark helper: appends COUNT ~1 KiB events straight into a hookpipe
SQLite store (schema created by the daemon: the `events` table of
Sources/HookpipeStore/SQLiteSchema.swift), and writes the same envelopes to
ENVELOPES for the shell-pipeline baseline ("-" for none). Bypasses the
receiver on purpose: this measures the chain, not HTTP. Inserts in batches
of 10,000, so a million events need little memory."""
import json, sqlite3, sys, time

db, count, envelopes = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pad = "x" * 880
conn = sqlite3.connect(db)
first = conn.execute("SELECT COALESCE(MAX(seq),0) FROM events").fetchone()[0] + 1
now = int(time.time() * 1e6)
out = open(envelopes, "w") if envelopes != "-" else None
batch = []
for seq in range(first, first + count):
    meta = json.dumps({"id": f"evt_{seq}", "source": "bench"}, separators=(",", ":"))
    payload = json.dumps({"id": f"evt_{seq}", "type": "payment", "amount": seq, "note": pad}, separators=(",", ":"))
    batch.append(("bench", f"evt_{seq}", now, meta.encode(), payload.encode()))
    if out:
        out.write('{"seq":%d,%s,"payload":%s}\n' % (seq, meta[1:-1], payload))
    if len(batch) == 10000 or seq == first + count - 1:
        conn.executemany("INSERT INTO events (source, dedupe_key, received_at, metadata, payload) VALUES (?,?,?,?,?)", batch)
        conn.commit()
        batch = []
if out:
    out.close()
conn.close()
