#!/usr/bin/env python3
"""Crash and fault matrix: uniquely signed events under load while hookpipe or
its stages are killed at random moments, then an account of every
acknowledged event: delivered by the chain, dead-lettered, or lost.

  proof/crash_matrix.py daemon  [--cycles N]   SIGKILL the daemon, restart it
  proof/crash_matrix.py stages  [--cycles N]   SIGKILL random stage processes
  proof/crash_matrix.py sigterm [--cycles N]   SIGTERM under load, restart
  proof/crash_matrix.py pgrestart --backend postgresql [--cycles N]
                                               crash PostgreSQL (immediate stop) under
                                               load and start it again; no 2xx while down

--backend picks the store (default sqlite, the embedded one): postgresql
starts a throwaway PostgreSQL with scripts/pg-scratch.sh, gives the daemon
its URL as HOOKPIPE_DATABASE_URL ([store] backend = "postgresql",
url = "env:HOOKPIPE_DATABASE_URL"), reads dead letters from it, and stops
and deletes it at the end. The faults are the same; PostgreSQL itself is
not killed. Its 200 carries no seq, so the fanout chain's bodies guess
"seq" values from 0.

--chain picks the chain the events go through (default plain):

  plain   Python pass-through -> cat -> jq -c .
  fanout  jq fans each event out to 3 lines (part 0, 1, 2) -> jq filter (drops
          part 2 of even-numbered events and every part of events numbered
          7 mod 10) -> jq '.payload + {part}' (strips the envelope: its seq and
          mark are gone, the sender's own "seq" and "mark" take their place)
          -> Python pass-through. Every body carries a top-level "seq" (the
          seq of an earlier acknowledgement + 1..5, every 4th as a string),
          every 3rd a "mark" of 16 hex digits. The account is per (id, part):
          every acknowledged event's expected lines must be in the output,
          or the event dead-lettered.
  term0   Python pass-through -> a Python pass-through that exits 0 on SIGTERM,
          answers 20 lines behind what it read and, at end of input, waits
          3 s before it writes those 20 -> jq -c .; drain_timeout = "1s", so
          every SIGTERM of the daemon hits the deadline while that stage
          holds events it read and did not answer.

Prints one JSON object; exits 1 when an acknowledged event was lost, a line of
the output is torn or not a JSON object (or, for sigterm, when the daemon did
not exit 0)."""
import argparse, json, os, random, signal, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Daemon, PgScratch, Sender, Workspace, default_binary, settle,  # noqa: E402
                    torn_lines)

PASS_PY = "import sys\nfor line in sys.stdin:\n    sys.stdout.write(line)\n    sys.stdout.flush()\n"

CHAIN_HEAD = """
[chain]
output = "file:out.ndjson"
checkpoint_interval = "50ms"
flush_after = "300ms"
drain_timeout = "{drain_ms}ms"
"""

CHAIN = CHAIN_HEAD + """
[[stage]]
name = "python"
command = ["python3", "-u", "pass.py"]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "cat"
command = ["cat"]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "jq"
command = ["jq", "-c", "--unbuffered", "."]
backoff_min = "10ms"
backoff_max = "200ms"
"""


# Part 2 of even-numbered events and every part of events numbered 7 mod 10
# are filtered out; expected_parts() is the same rule for the account.
FILTER_JQ = ('(.id | ltrimstr("evt_") | tonumber) as $n '
             '| select($n % 10 != 7 and (.part != 2 or $n % 2 == 1))')

FANOUT_CHAIN = CHAIN_HEAD + """
[[stage]]
name = "fanout"
command = ["jq", "-c", "--unbuffered", ". as $e | range(3) | $e + {{part: .}}"]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "filter"
command = ["jq", "-c", "--unbuffered", %s]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "strip"
command = ["jq", "-c", "--unbuffered", ".payload + {{part}}"]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "python"
command = ["python3", "-u", "pass.py"]
backoff_min = "10ms"
backoff_max = "200ms"
""" % json.dumps(FILTER_JQ).replace("{", "{{").replace("}", "}}")

TERM0_PY = """import signal, sys, time
held = []  # lines read and not yet answered
state = {"eof": False}


def on_term(*_):
    # Exits 0 on SIGTERM, which the handler contract forbids: hookpipe must not
    # take that exit for a drain when it sent the signal at a deadline. Notes
    # what it still held for the harness.
    with open("term0.log", "a") as f:
        f.write("sigterm eof=%d held=%d\\n" % (state["eof"], len(held)))
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
# Answers in order, 20 lines behind what it has read (a handler that batches).
for line in sys.stdin:
    held.append(line)
    if len(held) > 20:
        sys.stdout.write(held.pop(0))
        sys.stdout.flush()
state["eof"] = True
time.sleep(3)  # finishes slowly after end of input: a stop's drain hits its deadline
for line in held:
    sys.stdout.write(line)
sys.stdout.flush()
"""

TERM0_CHAIN = CHAIN_HEAD + """
[[stage]]
name = "python"
command = ["python3", "-u", "pass.py"]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "term0"
command = ["python3", "-u", "term0.py"]
backoff_min = "10ms"
backoff_max = "200ms"

[[stage]]
name = "jq"
command = ["jq", "-c", "--unbuffered", "."]
backoff_min = "10ms"
backoff_max = "200ms"
"""

CHAINS = {  # name: (config, default drain_timeout in seconds)
    "plain": (CHAIN, 20),
    "fanout": (FANOUT_CHAIN, 20),
    "term0": (TERM0_CHAIN, 1),
}


def expected_parts(event_id):
    """The parts of an event that must reach the output of the fanout chain."""
    n = int(event_id.rsplit("_", 1)[1])
    if n % 10 == 7:
        return ()
    return (0, 1) if n % 2 == 0 else (0, 1, 2)


def seq_bodies(seed):
    """Body text for the fanout chain: a plausible top-level "seq" (the seq of
    an earlier acknowledgement + 1..5; every 4th a string) and, every 3rd,
    a "mark" of 16 hex digits."""
    rng = random.Random(seed ^ 0x5EC)

    def body(n, last_ack_seq):
        guess = last_ack_seq + rng.randint(1, 5)
        extra = f',"seq":"{guess}"' if n % 4 == 1 else f',"seq":{guess}'
        if n % 3 == 0:
            extra += ',"mark":"%016x"' % rng.getrandbits(64)
        return extra
    return body


def output_lines(path):
    """(id, part) of every whole JSON line of the fanout chain's output."""
    lines = []
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    doc = json.loads(line)
                    lines.append((doc["id"], doc["part"]))
                except (ValueError, KeyError, TypeError):
                    pass
    except FileNotFoundError:
        pass
    return lines


def settle_fanout(ws, acked, timeout=120):
    """Waits until every acknowledged event's expected (id, part) lines are in
    the output or the event is dead-lettered; returns the accounting."""
    deadline = time.time() + timeout
    acked_set = set(acked)
    expected = {(i, p) for i in acked_set for p in expected_parts(i)}
    while True:
        lines = output_lines(ws.output)
        present = set(lines)
        dead = ws.dead_lettered_ids()
        missing_lines = {(i, p) for (i, p) in expected - present if i not in dead}
        if not missing_lines or time.time() > deadline:
            break
        time.sleep(0.2)
    missing = {i for (i, _) in missing_lines}
    filtered = {i for i in acked_set if not expected_parts(i)}
    complete = {i for i in acked_set - filtered if all((i, p) in present for p in expected_parts(i))}
    # A line the filter must have dropped, or a part that does not exist.
    unexpected = sum(1 for (i, p) in lines if not isinstance(i, str) or not i.startswith("evt_")
                     or p not in expected_parts(i))
    return {
        "acknowledged": len(acked_set),
        "filtered_out": len(filtered),
        "expected_lines": len(expected),
        "delivered": len(complete),
        "dead_lettered": len((acked_set - filtered - complete) & dead),
        "lost": len(missing),
        "lost_lines": len(missing_lines),
        "lost_ids": sorted(missing)[:20],
        "output_lines": len(lines),
        "duplicates": len(lines) - len(present),
        "unexpected_lines": unexpected,
    }


class Chain:
    def __init__(self, name, drain=None):
        self.name = name
        config, default_drain = CHAINS[name]
        self.drain = drain if drain is not None else default_drain
        self.config = config.format(drain_ms=int(self.drain * 1000))

    def workspace(self, postgres=None):
        ws = Workspace(chain=self.config, postgres=postgres)
        with open(os.path.join(ws.dir, "pass.py"), "w") as f:
            f.write(PASS_PY)
        with open(os.path.join(ws.dir, "term0.py"), "w") as f:
            f.write(TERM0_PY)
        return ws

    def sender(self, ws, seed):
        if self.name == "fanout":
            return Sender(ws.port, body_fn=seq_bodies(seed))
        return Sender(ws.port)

    def settle(self, ws, acked):
        if self.name == "fanout":
            return settle_fanout(ws, acked)
        return settle(ws, acked)

    def term0_sigterms(self, ws):
        """SIGTERMs the exit-0 stage got, how many found it holding lines it
        had read and not answered, and how many lines those were."""
        try:
            with open(os.path.join(ws.dir, "term0.log")) as f:
                lines = [line for line in f if line.startswith("sigterm")]
        except OSError:
            return 0, 0, 0
        return len(lines), sum(1 for line in lines if " held=0" not in line), \
            sum(int(line.rsplit("held=", 1)[1]) for line in lines)

    def foreign_mark_warnings(self, ws):
        """The daemon's warnings about lines carrying a mark nobody gave out."""
        try:
            with open(os.path.join(ws.dir, "daemon.log"), "rb") as f:
                return sum(1 for line in f if b"a mark it was not given" in line)
        except OSError:
            return 0


def kill_daemon(binary, ws, cycles, rng, chain, seed):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = chain.sender(ws, seed)
    sender.start()
    for _ in range(cycles):
        if ws.postgres:
            # The killed node's lease (lease_ttl 1s) must expire before the new
            # one runs the chain: let it take over, so each kill hits a running chain.
            time.sleep(1.3)
        time.sleep(rng.uniform(0.05, 0.6))
        daemon.kill()
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
    time.sleep(0.3)
    acked = sender.stop()
    result = chain.settle(ws, acked)
    status, seconds = daemon.terminate()
    result.update(kills=cycles, final_exit=status)
    return result


def kill_stages(binary, ws, cycles, rng, chain, seed):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = chain.sender(ws, seed)
    sender.start()
    kills, misses = 0, 0
    deadline = time.time() + max(60, cycles * 0.3)
    while kills < cycles and time.time() < deadline:
        time.sleep(rng.uniform(0.01, 0.06))
        pids = daemon.children()
        if not pids:
            continue
        try:
            os.kill(rng.choice(pids), signal.SIGKILL)
            kills += 1
        except ProcessLookupError:
            misses += 1
    time.sleep(0.3)
    acked = sender.stop()
    result = chain.settle(ws, acked)
    time.sleep(1.2)  # status.json is rewritten every second
    snapshot = daemon.status() or {}
    stages = (snapshot.get("chain") or {}).get("stages", [])
    status, _ = daemon.terminate()
    result.update(kills=kills, restarts=sum(s.get("restarts", 0) for s in stages), final_exit=status,
                  drains={s.get("name"): s.get("drains", 0) for s in stages})
    return result


def sigterm(binary, ws, cycles, rng, chain, seed):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = chain.sender(ws, seed)
    sender.start()
    exits, times = [], []
    for _ in range(cycles):
        time.sleep(rng.uniform(0.2, 0.8))
        status, seconds = daemon.terminate(timeout=chain.drain + 20)
        exits.append(status)
        times.append(seconds)
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
    time.sleep(0.3)
    acked = sender.stop()
    result = chain.settle(ws, acked)
    status, seconds = daemon.terminate(timeout=chain.drain + 20)
    exits.append(status)
    times.append(seconds)
    result.update(stops=cycles + 1, nonzero_exits=sum(1 for s in exits if s != 0),
                  slowest_stop_seconds=round(max(times), 2), drain_deadline_seconds=chain.drain,
                  # A stop that took the whole drain_timeout gave up on a stage and killed it.
                  stops_at_deadline=sum(1 for t in times if t >= chain.drain))
    return result


def restart_postgresql(binary, ws, cycles, rng, chain, seed):
    """PostgreSQL crashes (immediate stop) and comes back, under load, while
    the daemon runs: nothing may be answered 2xx while it is down, 503s with
    Retry-After meanwhile, and every acknowledged event is delivered after."""
    if not ws.postgres:
        sys.exit("pgrestart needs --backend postgresql")
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = chain.sender(ws, seed)
    sender.start()
    down = []  # (from, to): the server is certainly not running in between
    for _ in range(cycles):
        time.sleep(rng.uniform(0.5, 1.5))
        ws.postgres.crash()
        stopped = time.monotonic()
        time.sleep(rng.uniform(0.5, 4.0))  # operation_timeout is 2 s: some outages outlast it
        restarting = time.monotonic()
        ws.postgres.start_again()
        down.append((stopped, restarting))
    time.sleep(1.5)
    acked = sender.stop()
    result = chain.settle(ws, acked)
    status, _ = daemon.terminate()
    with sender.lock:
        # An answer read within 0.2 s after the stop returned may be a commit
        # that completed just before it; anything later in the window is not.
        acks_while_down = sum(1 for t in sender.ack_times if any(a + 0.2 < t < b for a, b in down))
        refused_while_down = sum(1 for t, code in sender.status_times if code == 503 and any(a < t < b for a, b in down))
        missing_retry_after = sender.missing_retry_after
        statuses = dict(sender.statuses)
    result.update(restarts=cycles, final_exit=status, acks_while_down=acks_while_down,
                  answered_503_while_down=refused_while_down, missing_retry_after=missing_retry_after,
                  seconds_down=round(sum(b - a for a, b in down), 1), statuses=statuses)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["daemon", "stages", "sigterm", "pgrestart"])
    parser.add_argument("--chain", choices=sorted(CHAINS), default="plain", help="the chain's shape (above)")
    parser.add_argument("--drain-timeout", type=float, default=None,
                        help="the chain's drain_timeout in seconds (defaults: plain and fanout 20, term0 1)")
    parser.add_argument("--cycles", type=int, help="kills or stops (defaults: daemon 20, stages 200, sigterm 5)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite",
                        help="the store: embedded SQLite, or a scratch PostgreSQL (above)")
    parser.add_argument("--binary", default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the workspace for inspection")
    args = parser.parse_args()
    cycles = args.cycles or {"daemon": 20, "stages": 200, "sigterm": 5, "pgrestart": 5}[args.mode]
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    binary = args.binary or default_binary()
    chain = Chain(args.chain, args.drain_timeout)
    started = time.time()
    postgres = PgScratch() if args.backend == "postgresql" else None
    try:
        ws = chain.workspace(postgres)
    except BaseException:
        if postgres:
            postgres.remove()
        raise
    try:
        run = {"daemon": kill_daemon, "stages": kill_stages, "sigterm": sigterm, "pgrestart": restart_postgresql}[args.mode]
        result = run(binary, ws, cycles, rng, chain, seed)
        # Read once the last daemon has stopped: nothing is being written.
        result.update(torn_lines=torn_lines(ws.output), foreign_mark_warnings=chain.foreign_mark_warnings(ws))
        if args.chain == "term0":
            (result["term0_sigterms"], result["term0_sigterms_holding"],
             result["term0_lines_held_at_sigterm"]) = chain.term0_sigterms(ws)
    finally:
        if postgres:
            if args.keep:
                postgres.stop()  # the data directory stays for inspection
            else:
                postgres.remove()
        if not args.keep:
            ws.remove()
    result.update(mode=args.mode, chain=args.chain, backend=args.backend, seed=seed,
                  seconds=round(time.time() - started, 1))
    if args.keep:
        result["workspace"] = ws.dir
        if postgres:
            result["postgresql_directory"] = postgres.dir
    print(json.dumps(result, sort_keys=True))
    failed = (result["lost"] > 0 or result["torn_lines"] > 0 or result.get("unexpected_lines", 0) > 0
              or result.get("nonzero_exits", 0) > 0 or result.get("final_exit", 0) != 0
              or result.get("acks_while_down", 0) > 0 or result.get("missing_retry_after", 0) > 0)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
