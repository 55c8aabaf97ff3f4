#!/usr/bin/env python3
"""A store file damaged at its tail: what does startup say, and is everything
committed before the damage still there?

Cases (each on a fresh store of COUNT events, one commit per event):
  wal-torn      kill -9, then the WAL is cut in the middle of its last frame (a torn write)
  wal-garbled   kill -9, then noise is written into the WAL's last frame
  db-garbled    clean stop (WAL folded into the database), then two pages in the
                middle of the database file are overwritten with noise
  db-truncated  clean stop, then the database file loses half of its last page

Each daemon runs with its admin listener on; once the start-up integrity
check has reported damage, /readyz must answer 503 and name it.

Prints one JSON line per case; exits 1 when a case lost an event committed
before the damaged region, startup failed without naming the damage, or
/readyz said ready on a store reported damaged."""
import argparse, http.client, json, os, sqlite3, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, Sender, Workspace, default_binary, free_port  # noqa: E402

CASES = ["wal-torn", "wal-garbled", "db-garbled", "db-truncated"]


def last_wal_frame(path):
    """Offset and size of the last frame of the WAL's current generation (salts match the header)."""
    with open(path, "rb") as f:
        header = f.read(32)
        page_size = struct.unpack(">I", header[8:12])[0]
        salts = header[16:24]
        frame, offset, last = 24 + page_size, 32, None
        while True:
            f.seek(offset)
            head = f.read(24)
            if len(head) < 24 or head[8:16] != salts:
                break
            last = offset
            offset += frame
    return last, frame


def damage(ws, case):
    if case.startswith("wal"):
        path = ws.database + "-wal"
        last, frame = last_wal_frame(path)
        if last is None:
            return {"damaged": "nothing: the WAL holds no frames"}
        if case == "wal-torn":
            os.truncate(path, last + frame // 2)  # a write torn in the middle of the last frame
            return {"damaged": f"WAL cut at byte {last + frame // 2} (mid last frame)"}
        with open(path, "r+b") as f:
            f.seek(last + 24 + 100)
            f.write(os.urandom(512))
        return {"damaged": f"512 bytes of noise in the WAL's last frame at {last}"}
    path = ws.database
    size = os.path.getsize(path)
    if case == "db-truncated":
        os.truncate(path, size - 2048)
        return {"damaged": f"database cut by 2048 of {size} bytes"}
    middle = size // 2 // 4096 * 4096
    with open(path, "r+b") as f:
        f.seek(middle)
        f.write(os.urandom(8192))
    return {"damaged": f"two pages of noise at byte {middle} of {size}"}


def fill(binary, ws, count):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = Sender(ws.port)
    sender.start()
    deadline = time.time() + 120
    while len(sender.acked) < count and time.time() < deadline:
        time.sleep(0.01)
    return daemon, sender.stop()


def readable_ids(database):
    """Events SQLite can still read, row by row (a damaged page costs its rows only)."""
    ids, errors = set(), 0
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return ids, 1
    try:
        top = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        top = top[0] if top else 0
    except sqlite3.Error:
        top = 100000
    for seq in range(1, top + 1):
        try:
            row = db.execute("SELECT dedupe_key FROM events WHERE seq = ?", (seq,)).fetchone()
            if row:
                ids.add(row[0])
        except sqlite3.Error:
            errors += 1
    db.close()
    return ids, errors


def readyz(port):
    """(status, body) of GET /readyz on the admin listener, or (0, why) when it did not answer."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError as error:
        return 0, str(error)


def run_case(binary, case, count):
    admin_port = free_port()
    ws = Workspace(log_level="info", chain=f'[admin]\nenabled = true\nhost = "127.0.0.1"\nport = {admin_port}\n')
    try:
        daemon, acked = fill(binary, ws, count)
        if case.startswith("wal"):
            daemon.kill()  # the WAL stays as it was at the crash
        else:
            daemon.terminate()  # a clean stop folds the WAL into the database
        info = damage(ws, case)
        daemon = Daemon(binary, ws)
        try:
            daemon.wait_listening(timeout=30)
            started = True
        except RuntimeError:
            started = False
        time.sleep(3 if started else 0)  # the integrity check runs beside traffic after start
        log = daemon.tail(60)
        ready_status, ready_body = readyz(admin_port) if started else (0, "not started")
        if started:
            daemon.terminate()
        after, unreadable = readable_ids(ws.database)
        order = {event_id: n for n, event_id in enumerate(acked)}
        missing = sorted(order[i] for i in set(acked) - after)
        kept = [n for n in range(len(acked)) if n not in set(missing)]
        report = next((line for line in log.splitlines() if "damaged" in line or "cannot run" in line), "")
        result = dict(case=case, acknowledged=len(acked), started=started, readable=len(after & set(acked)),
                      missing=len(missing), unreadable_rows=unreadable, reported=report[:240],
                      readyz=ready_status, readyz_body=ready_body[:240], **info)
        # Damage the integrity check reported must keep /readyz at 503, naming it.
        damage_reported = started and "the store file is damaged" in log
        result["readyz_ok"] = (ready_status == 503 and "damaged" in ready_body) if damage_reported else True
        if case.startswith("wal"):
            # A torn or garbled WAL frame loses its transaction and nothing committed before it.
            result["missing_is_tail_only"] = not missing or (not kept or min(missing) > max(kept))
            result["ok"] = started and result["missing_is_tail_only"] and (bool(report) or not missing) and result["readyz_ok"]
        else:
            result["ok"] = (bool(report) or not missing) and result["readyz_ok"]
        return result
    finally:
        ws.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--binary", default=None)
    parser.add_argument("cases", nargs="*", default=CASES)
    args = parser.parse_args()
    binary = args.binary or default_binary()
    failed = False
    for case in args.cases:
        result = run_case(binary, case, args.count)
        failed = failed or not result["ok"]
        print(json.dumps(result, sort_keys=True), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
