#!/usr/bin/env python3
"""Benchmark helper: appends COUNT ~1 KiB events straight into a hookpipe
SQLite store (schema created by the daemon), and writes the same envelopes
to ENVELOPES for the shell-pipeline baseline. Bypasses the receiver on
purpose: this measures the chain, not HTTP."""
import json, sqlite3, sys, time

db, count, envelopes = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pad = "x" * 880
conn = sqlite3.connect(db)
now = int(time.time() * 1e6)
rows = []
with open(envelopes, "w") as out:
    for i in range(1, count + 1):
        meta = json.dumps({"id": f"evt_{i}", "source": "bench"}, separators=(",", ":"))
        payload = json.dumps({"id": f"evt_{i}", "type": "payment", "amount": i, "note": pad}, separators=(",", ":"))
        rows.append(("bench", f"evt_{i}", now, meta.encode(), payload.encode()))
        out.write('{"seq":%d,%s,"payload":%s}\n' % (i, meta[1:-1], payload))
conn.executemany("INSERT INTO events (source, dedupe_key, received_at, metadata, payload) VALUES (?,?,?,?,?)", rows)
conn.commit()
conn.close()
