#!/usr/bin/env python3
"""Crash and fault matrix: uniquely signed events under load while hookpipe or
its stages are killed at random moments, then an account of every
acknowledged event: delivered by the chain, dead-lettered, or lost.

  proof/crash_matrix.py daemon  [--cycles N]   SIGKILL the daemon, restart it
  proof/crash_matrix.py stages  [--cycles N]   SIGKILL random stage processes
  proof/crash_matrix.py sigterm [--cycles N]   SIGTERM under load, restart

Prints one JSON object; exits 1 when an acknowledged event was lost (or, for
sigterm, when the daemon did not exit 0 within its drain deadline)."""
import argparse, json, os, random, signal, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, Sender, Workspace, default_binary, settle  # noqa: E402

PASS_PY = "import sys\nfor line in sys.stdin:\n    sys.stdout.write(line)\n    sys.stdout.flush()\n"

CHAIN = """
[chain]
output = "file:out.ndjson"
checkpoint_interval = "50ms"
flush_after = "300ms"
drain_timeout = "20s"

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


def workspace():
    ws = Workspace(chain=CHAIN)
    with open(os.path.join(ws.dir, "pass.py"), "w") as f:
        f.write(PASS_PY)
    return ws


def kill_daemon(binary, ws, cycles, rng):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = Sender(ws.port)
    sender.start()
    for _ in range(cycles):
        time.sleep(rng.uniform(0.05, 0.6))
        daemon.kill()
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
    time.sleep(0.3)
    acked = sender.stop()
    result = settle(ws, acked)
    status, seconds = daemon.terminate()
    result.update(kills=cycles, final_exit=status)
    return result


def kill_stages(binary, ws, cycles, rng):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = Sender(ws.port)
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
    result = settle(ws, acked)
    time.sleep(1.2)  # status.json is rewritten every second
    snapshot = daemon.status() or {}
    stages = (snapshot.get("chain") or {}).get("stages", [])
    status, _ = daemon.terminate()
    result.update(kills=kills, restarts=sum(s.get("restarts", 0) for s in stages), final_exit=status)
    return result


def sigterm(binary, ws, cycles, rng):
    daemon = Daemon(binary, ws)
    daemon.wait_listening()
    sender = Sender(ws.port)
    sender.start()
    exits, slowest = [], 0.0
    for _ in range(cycles):
        time.sleep(rng.uniform(0.2, 0.8))
        status, seconds = daemon.terminate(timeout=40)
        exits.append(status)
        slowest = max(slowest, seconds)
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
    time.sleep(0.3)
    acked = sender.stop()
    result = settle(ws, acked)
    status, seconds = daemon.terminate(timeout=40)
    exits.append(status)
    result.update(stops=cycles + 1, nonzero_exits=sum(1 for s in exits if s != 0),
                  slowest_stop_seconds=round(max(slowest, seconds), 2), drain_deadline_seconds=20)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["daemon", "stages", "sigterm"])
    parser.add_argument("--cycles", type=int, help="kills or stops (defaults: daemon 20, stages 200, sigterm 5)")
    parser.add_argument("--binary", default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the workspace for inspection")
    args = parser.parse_args()
    cycles = args.cycles or {"daemon": 20, "stages": 200, "sigterm": 5}[args.mode]
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    binary = args.binary or default_binary()
    ws = workspace()
    started = time.time()
    try:
        run = {"daemon": kill_daemon, "stages": kill_stages, "sigterm": sigterm}[args.mode]
        result = run(binary, ws, cycles, rng)
    finally:
        if not args.keep:
            ws.remove()
    result.update(mode=args.mode, seed=seed, seconds=round(time.time() - started, 1))
    if args.keep:
        result["workspace"] = ws.dir
    print(json.dumps(result, sort_keys=True))
    failed = result["lost"] > 0 or result.get("nonzero_exits", 0) > 0 or result.get("final_exit", 0) != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
