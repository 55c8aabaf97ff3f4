#!/usr/bin/env bash
# Receiver benchmark: uniquely signed 1 KiB Stripe events over loopback with
# wrk, durable acks (fsync before 200), at concurrency 1 and 64.
# Prints accepted req/s and latency percentiles next to the disk's own
# fsync latency measured in the same run. Not a test: figures only.
# bench/run.sh runs the same measurement next to nginx and adnanh/webhook.
#   bench/receiver.sh [seconds-per-run]   (default 10)
#   LOG_LEVEL=warning bench/receiver.sh   (default info: one log line per request)
#   THREADS=1 bench/receiver.sh          (event-loop threads; default 0 = one per core)
#   PROFILE=1 bench/receiver.sh           (also records a perf profile of the c=64 run: the daemon
#                                          runs under `perf record -g`, sampling only during that run;
#                                          flat list in $PROFILE_OUT, perf.data kept with KEEP_WORK=1;
#                                          PROFILE_C=1 samples the c=1 run instead)
#   ADMIN=1 bench/receiver.sh             (with [admin] on: metrics recorded into Prometheus; default off)
#   HOOKPIPE_BIN=path bench/receiver.sh   (use that binary instead of building)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"
duration="${1:-10}"
need wrk wrk; need sqlite3 sqlite3; need bc bc
hookpipe=$(hookpipe_binary)
bench_init bench
port=$(free_port)
# A known admin port: at LOG_LEVEL=warning the "admin listening" line is not logged.
[ "${ADMIN:-0}" = 1 ] && ADMIN_PORT=$(free_port)
hp_config "$work" "$port" "" "discard" "${LOG_LEVEL:-info}"

read -r floor_p50 floor_p99 floor_p999 < <(python3 bench/fsync_floor.py "$work" 2000)

if [ "${PROFILE:-0}" = 1 ]; then
  # Started under perf, events off until the run sampled: attaching with
  # `perf record -p` to a running daemon recorded almost nothing on these VMs.
  need perf linux-perf
  mkfifo "$work/perf.ctl"
  hp_start "$work" "$port" perf record -e cpu-clock -F 1999 -g -D -1 --control "fifo:$work/perf.ctl" -o "$work/perf.data" --
else
  hp_start "$work" "$port"
fi
profiling() { [ "${PROFILE:-0}" = 1 ] && [ "$1" = "${PROFILE_C:-64}" ]; }

run() { # connections threads count
  local conns=$1 threads=$2 count=$3
  python3 bench/make_requests.py "$count" "$hp_secret" "$work/requests.txt" --raw /hooks/stripe
  local before after out
  before=$(hp_last_seq "$work")
  if profiling "$conns"; then echo enable > "$work/perf.ctl"; fi
  wrk_signed "$port" "$conns" "$threads" "$duration" "$work/requests.txt" "$work/wrk.txt"
  if profiling "$conns"; then echo disable > "$work/perf.ctl"; fi
  out=$(cat "$work/wrk.txt")
  after=$(hp_last_seq "$work")
  local accepted=$((after - before))
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  local p50 p99 p999
  p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  p999=$(echo "$out" | awk '$1=="BENCH" {print $9 "us"}')
  printf '| %-3s | %9.0f | %8s | %8s | %8s | %6s |\n' "$conns" "$(echo "$accepted / $duration" | bc -l)" "$p50" "$p99" "${p999:-n/a}" "$non2xx"
}

echo "hookpipe receiver benchmark — $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${duration}s per run"
echo "disk fsync floor (1 KiB append+fsync): p50 ${floor_p50}us p99 ${floor_p99}us p99.9 ${floor_p999}us"
echo
echo "| c   | accepted/s | p50      | p99      | p99.9    | non-2xx |"
echo "|-----|-----------:|----------|----------|----------|--------:|"
run 1 1 60000
run 64 2 600000
echo
echo "accepted/s = new rows in the store per second (each one fsync'd before its 200)."
if [ "${ADMIN:-0}" = 1 ]; then
  admin_port=$ADMIN_PORT
  echo
  echo "ack latency and store commits as /metrics reports them (both runs):"
  exec 3<>"/dev/tcp/127.0.0.1/$admin_port"
  printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  grep -E '^hookpipe_(ack_latency_seconds_(count|sum)|store_commit_seconds_(count|sum)|requests_total)' <&3 || true
  exec 3<&-
fi
if [ "${PROFILE:-0}" = 1 ]; then
  bench_kill "$hp_pid" 60  # after the admin scrape: perf stops the daemon (SIGTERM), writes perf.data
  profile_out=${PROFILE_OUT:-/tmp/hookpipe-receiver.perf.txt}
  perf report -i "$work/perf.data" --no-children -g none --sort "${PROFILE_SORT:-dso,symbol}" --stdio 2>/dev/null \
    | grep -v '^#' | grep '%' | head -70 > "$profile_out" || true
  echo "perf profile of the c=${PROFILE_C:-64} run: $profile_out ($(grep -c '%' "$profile_out") lines)"
fi
