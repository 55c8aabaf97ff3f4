#!/usr/bin/env bash
# Runs every proof harness and prints the table for docs/RELIABILITY.md.
#   proof/run.sh          CI sizes: 20 daemon kills, 200 stage kills, 5 SIGTERMs
#   proof/run.sh --long   long sizes: 100 daemon kills, 1,000 stage kills, 20 SIGTERMs
# Needs root for the disk-full case (it mounts a small tmpfs). Builds the
# debug binary unless HOOKPIPE_BIN is set. Loopback only; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
daemon=20 stages=200 stops=5 mode=ci
if [ "${1:-}" = "--long" ]; then daemon=100 stages=1000 stops=20 mode=long; fi
if [ -z "${HOOKPIPE_BIN:-}" ]; then
  swift build --product hookpipe >/dev/null
  HOOKPIPE_BIN="$(swift build --show-bin-path)/hookpipe"
fi
results="${RESULTS:-$(mktemp "${TMPDIR:-/tmp}/hookpipe-proof.XXXXXX.jsonl")}"
echo "raw results: $results" >&2
status=0
run() { python3 "proof/$1" "${@:2}" --binary "$HOOKPIPE_BIN" >>"$results" || status=1; }
run crash_matrix.py daemon --cycles "$daemon"
run crash_matrix.py stages --cycles "$stages"
run crash_matrix.py sigterm --cycles "$stops"
# The same faults through a chain that fans out, filters and strips the
# envelope, with bodies carrying "seq" and "mark" (issue 21).
run crash_matrix.py daemon --chain fanout --cycles "$daemon"
run crash_matrix.py stages --chain fanout --cycles "$stages"
run crash_matrix.py sigterm --chain fanout --cycles "$stops"
# A stage that exits 0 on SIGTERM, and stops that reach drain_timeout = 1s.
run crash_matrix.py sigterm --chain term0 --cycles "$stops"
# SIGKILLs while the chain writes large batches to the output (issue 22).
run torn_output.py --cycles "$daemon"
# The PostgreSQL backend (issues 24 and 25): the daemon SIGKILLed with the
# chain running, PostgreSQL crashed and restarted under load, and three
# nodes under faults (network namespaces need root; loopback otherwise).
run crash_matrix.py daemon --backend postgresql --cycles "$daemon"
run crash_matrix.py pgrestart --backend postgresql --cycles "$stops"
run cluster.py faults --cycles "$daemon"
if [ "$(id -u)" = 0 ]; then run disk_full.py; else echo "disk_full.py skipped: needs root" >&2; fi
if [ "$(id -u)" = 0 ]; then run fsync_per_ack.py --count 200; fi
run store_damage.py
run bad_input.py
python3 proof/report.py "$mode" <"$results"
exit $status
