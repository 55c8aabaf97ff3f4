#!/usr/bin/env bash
# Receiver benchmark: uniquely signed ~1 KiB Stripe events over loopback with
# wrk, durable acks (fsync before 200), at concurrency 1 and 64.
# Prints accepted req/s and latency percentiles next to the disk's own
# fsync latency measured in the same run. Not a test: figures only.
#   bench/receiver.sh [seconds-per-run]   (default 10)
#   LOG_LEVEL=warning bench/receiver.sh   (default info: one log line per request)
#   THREADS=1 bench/receiver.sh          (event-loop threads; default 0 = one per core)
#   PROFILE=1 bench/receiver.sh           (also records a perf profile of the c=64 run)
#   ADMIN=1 bench/receiver.sh             (with [admin] on: metrics recorded into Prometheus; default off)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
scripts/install-deps.sh
swift build -c release --product hookpipe >/dev/null
bin="$(swift build -c release --show-bin-path)/hookpipe"

work="$(mktemp -d "${TMPDIR:-/tmp}/hookpipe-bench.XXXXXX")"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secret="whsec_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$secret" > "$work/stripe.secret"
cat > "$work/pipeline.conf" <<CONF
[server]
host = "127.0.0.1"
port = $port
max_connections = 4096
threads = ${THREADS:-0}
[store]
state_directory = "state"
[log]
level = "${LOG_LEVEL:-info}"
[admin]
enabled = $([ "${ADMIN:-0}" = 1 ] && echo true || echo false)
port = 0
[[source]]
name = "stripe"
path = "/hooks/stripe"
scheme = "stripe"
secrets = ["file:stripe.secret"]
CONF

read -r floor_p50 floor_p99 floor_p999 < <(python3 bench/fsync_floor.py "$work" 2000)

"$bin" run --config "$work/pipeline.conf" 2> "$work/daemon.log" &
pid=$!
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

run() { # connections threads label
  local conns=$1 threads=$2 count=$3
  python3 bench/make_requests.py "$count" "$secret" "$work/requests.txt"
  local before after out
  before=$(sqlite3 "$work/state/hookpipe.sqlite" "SELECT COALESCE(MAX(seq),0) FROM events")
  local perf_pid=""
  if [ "${PROFILE:-0}" = 1 ] && [ "$conns" -gt 1 ]; then
    perf record -F 999 -p "$pid" -o "$work/perf.data" -- sleep "$duration" >/dev/null 2>&1 & perf_pid=$!
  fi
  out=$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s bench/signed.lua "http://127.0.0.1:$port" -- "$work/requests.txt" "$threads")
  [ -n "$perf_pid" ] && wait "$perf_pid" && perf report -i "$work/perf.data" --no-children --sort ${PROFILE_SORT:-dso,symbol} --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -70 > "${PROFILE_OUT:-/tmp/hookpipe-receiver.perf.txt}" || true
  after=$(sqlite3 "$work/state/hookpipe.sqlite" "SELECT COALESCE(MAX(seq),0) FROM events")
  local accepted=$((after - before))
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  local p50 p99 p999
  p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  p999=$(echo "$out" | awk '$1=="99.900%" || $1=="99.9%" {print $2}')
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
  admin_port=$(sed -nE 's/.*admin listening.*127\.0\.0\.1:([0-9]+).*/\1/p' "$work/daemon.log" | head -1)
  echo
  echo "ack latency and store commits as /metrics reports them (both runs):"
  exec 3<>"/dev/tcp/127.0.0.1/$admin_port"
  printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  grep -E '^hookpipe_(ack_latency_seconds_(count|sum)|store_commit_seconds_(count|sum)|requests_total)' <&3 || true
  exec 3<&-
fi
