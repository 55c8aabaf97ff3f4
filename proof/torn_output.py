#!/usr/bin/env python3
"""Torn output lines: SIGKILL the daemon while its chain writes large
batches to the output file, restart it, repeat; then check that every line
of the output file is a whole JSON object and every acknowledged event is
in it (issue 22).

Most of the daemon's time goes to writing the output: with a
`checkpoint_interval` longer than the run, no checkpoint is saved between
kills, so every restart feeds everything acknowledged so far again, and the
last stage's lines (bodies of BODY_KIB KiB) reach the output in writes of
up to 64 KiB while the backlog grows with each cycle. A SIGKILL then often
lands inside a write and can cut it part-way.

  proof/torn_output.py [--cycles N] [--body-kib K] [--binary PATH]

Prints one JSON object; exits 1 when a line is torn or an acknowledged event
was lost."""
import argparse, json, os, random, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, Sender, Workspace, default_binary, settle, torn_lines  # noqa: E402

CHAIN = """
[chain]
output = "file:out.ndjson"
checkpoint_interval = "1h"
drain_timeout = "20s"

[[stage]]
name = "cat"
command = ["cat"]
backoff_min = "10ms"
backoff_max = "200ms"
"""


def line_count(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--body-kib", type=int, default=8)
    parser.add_argument("--binary", default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    binary = args.binary or default_binary()
    ws = Workspace(chain=CHAIN)
    started = time.time()
    padding = ', "pad": "' + "x" * (args.body_kib * 1024) + '"'
    try:
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
        senders = [Sender(ws.port, prefix=f"t{n}", body_extra=padding) for n in range(3)]
        for sender in senders:
            sender.start()
        time.sleep(1.0)
        for _ in range(args.cycles):
            # Killed soon after a restart: while the events fed again are written out.
            time.sleep(rng.uniform(0.05, 0.5))
            daemon.kill()
            daemon = Daemon(binary, ws)
            daemon.wait_listening()
        time.sleep(0.3)
        acked = [event for sender in senders for event in sender.stop()]
        result = settle(ws, acked)
        status, _ = daemon.terminate()
        result.update(kills=args.cycles, final_exit=status, output_lines=line_count(ws.output), torn_lines=torn_lines(ws.output),
                      body_kib=args.body_kib, seed=seed,
                      output_bytes=os.path.getsize(ws.output) if os.path.exists(ws.output) else 0,
                      seconds=round(time.time() - started, 1), case="torn_output")
    finally:
        if not args.keep:
            ws.remove()
        else:
            print(f"workspace kept: {ws.dir}", file=sys.stderr)
    print(json.dumps(result))
    sys.exit(1 if result["lost"] or result["torn_lines"] else 0)


if __name__ == "__main__":
    main()
