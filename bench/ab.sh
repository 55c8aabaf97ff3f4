#!/usr/bin/env bash
# A/B rounds: bench/run.sh's closed-loop measurement (wrk, uniquely signed
# 1 KiB Stripe events, durable acks) for two or more servers in alternating
# rounds. A change is then read against a baseline measured minutes apart
# on the same host, not hours. The host's speed moves by more than most
# single changes (docs/BENCHMARK-FINDINGS.md, finding 19).
#
#   bench/ab.sh [--rounds N] [--seconds S] [--runs "1 64 64r"] LABEL=SERVER ...
#
# SERVER is a hookpipe release binary, or `ackserver` / `acklog`: the plain C
# references (bench/ackserver.c storing to SQLite / to bench/acklog.h), one
# loop on one thread; `ackserver-mt` / `acklog-mt`: the same with a reading
# thread per core and a writer thread (ackserver's "threaded").
# Runs: `1` is c=1, with the fsync floor measured right before it; `64` is
# c=64; `64r` is c=64 with random ids (like Stripe's). Every server gets a
# fresh store each round.
# The output has one line per round, server and run, then the median of each
# figure over the rounds and its ratio to the first server's.
#
#   bench/ab.sh base=/tmp/hookpipe-before new=.build/release/hookpipe
#   bench/ab.sh --runs "1 64 64r" hookpipe=.build/release/hookpipe c-sqlite=ackserver c-log=acklog
#
# Defaults: 3 rounds, 4 s per run, runs "1 64". Installs wrk and sqlite3
# (apt) when missing. Stops every process it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"

rounds=3; seconds=4; runs="1 64"; specs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *=*) specs+=("$1") ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
[ ${#specs[@]} -ge 1 ] || die "name at least one LABEL=SERVER (see --help)"
for run in $runs; do
  case "$run" in 1|64|64r) ;; *) die "unknown run '$run': 1, 64 or 64r" ;; esac
done
need wrk wrk; need sqlite3 sqlite3; need cc gcc
bench_init ab
ack_build "$work/ackserver-bin" 2> "$work/ackserver-build.log" || die "bench/ackserver.c did not compile (see $work/ackserver-build.log)"
for spec in "${specs[@]}"; do
  server=${spec#*=}
  case "$server" in
    ackserver|acklog|ackserver-mt|acklog-mt) ;;
    *) [ -x "$server" ] || die "${spec%%=*}: $server is not an executable (a hookpipe binary, ackserver, acklog, ackserver-mt or acklog-mt)" ;;
  esac
done
ticks_per_s=$(getconf CLK_TCK)
results="$work/rounds.tsv"
# wrk's latency ("663.00us", "6.02ms", "1.20s") in µs.
micros() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else print n * 1000000 }'; }
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
# Events the current server ($store in $dir) has stored so far.
last_seq() { if [ "$store" = hookpipe ]; then hp_last_seq "$dir"; else ack_last_seq "$dir" "$store"; fi; }

for round in $(seq "$rounds"); do
  for spec in "${specs[@]}"; do
    label=${spec%%=*}; server=${spec#*=}
    dir="$work/$label"; rm -rf "$dir"; mkdir -p "$dir"; port=$(free_port)
    case "$server" in
      ackserver|acklog|ackserver-mt|acklog-mt)
        store=sqlite; [ "${server%-mt}" = acklog ] && store=log
        mode=$store; [ "${server%-mt}" != "$server" ] && mode="$store threaded"
        "$work/ackserver-bin" "$port" "$dir" $mode > "$dir/ackserver.json" 2> "$dir/ackserver.err" &
        pid=$!; bench_track "$pid"
        wait_port "$port" "$pid" || die "$label did not start" ;;
      *)
        hookpipe=$server; store=hookpipe
        hp_config "$dir" "$port" "" discard warning
        hp_start "$dir" "$port"; pid=$hp_pid ;;
    esac
    for run in $runs; do
      conns=${run%r}; threads=1; count=$((9000 * seconds)); ids=()
      [ "$conns" = 64 ] && { threads=2; count=$((60000 * seconds)); }
      [ "$run" = 64r ] && ids=(--random-ids)
      python3 bench/make_requests.py "$count" "$hp_secret" "$work/requests.txt" --raw /hooks/stripe "${ids[@]}"
      floor=""
      [ "$run" = 1 ] && read -r floor _ _ < <(python3 bench/fsync_floor.py "$work" 500)
      before=$(last_seq); ticks0=$(tree_ticks "$pid")
      say "round $round: $label c=$run"
      wrk_signed "$port" "$conns" "$threads" "$seconds" "$work/requests.txt" "$work/wrk.txt"
      ticks1=$(tree_ticks "$pid"); after=$(last_seq)
      p50=$(micros "$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")")
      p99=$(micros "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")")
      non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$label" "$run" "$((after - before))" "$seconds" \
        "$((ticks1 - ticks0))" "$p50" "$p99" "${floor:-}" >> "$results"
      [ "${non2xx:-0}" = 0 ] || echo "bench: $label c=$run: $non2xx answers were not 2xx (not counted as stored)" >&2
    done
    bench_kill "$pid" 30
  done
done

python3 - "$results" "$ticks_per_s" "${specs[@]%%=*}" <<'PY'
import statistics, sys
path, hz, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = {}
print("round  server          run   stored/s   p50 µs   p99 µs   p50÷floor   CPU µs/request")
for line in open(path):
    r, label, run, stored, secs, ticks, p50, p99, floor = line.rstrip("\n").split("\t")
    stored, p50, p99 = int(stored), float(p50), float(p99)
    rate = stored / float(secs)
    cpu = int(ticks) / hz / stored * 1e6 if stored else None
    ratio = p50 / float(floor) if floor else None
    rows.setdefault((label, run), []).append((rate, p50, p99, ratio, cpu))
    print(f"{r:>5}  {label:<14}  {run:<4}  {rate:9,.0f}  {p50:7,.0f}  {p99:7,.0f}  "
          f"{'' if ratio is None else f'{ratio:.2f}×':>10}  {'—' if cpu is None else f'{cpu:.1f}':>15}")
print()
print("medians over the rounds, and ÷ the first server's (" + labels[0] + ")")
print("server          run   stored/s         p50 µs           p50÷floor   CPU µs/request")
med = lambda values: statistics.median(v for v in values if v is not None) if any(v is not None for v in values) else None
runs = sorted({run for _, run in rows}, key=lambda r: (len(r), r))
for run in runs:
    base = rows.get((labels[0], run))
    base_m = [med(col) for col in zip(*base)] if base else None
    for label in labels:
        if (label, run) not in rows: continue
        m = [med(col) for col in zip(*rows[(label, run)])]
        rel = lambda i: "" if not base_m or base_m[i] in (None, 0) or m[i] is None or label == labels[0] else f" ({m[i] / base_m[i]:.2f}×)"
        print(f"{label:<14}  {run:<4}  {m[0]:9,.0f}{rel(0):>8}  {m[1]:7,.0f}{rel(1):>8}  "
              f"{'' if m[3] is None else f'{m[3]:.2f}×':>10}  {'—' if m[4] is None else f'{m[4]:.1f}':>7}{rel(4):>8}")
PY
