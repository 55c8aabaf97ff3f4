#!/usr/bin/env bash
# Chain benchmark: events/s from a backlog of stored ~1 KiB events through
# 3 `cat` stages, one `jq -c .` stage and one Python pass-through, each next
# to the same data through the same programs as a plain shell pipeline (the
# ceiling); then end-to-end latency (HTTP request -> line out of a 3-stage
# chain) at a steady rate. Figures only, not a test.
#   bench/chain.sh [events] [rate] [seconds]   (defaults 200000 1000 5)
#   PROFILE="python" bench/chain.sh            (perf profile of that run: "3 x cat", "jq" or "python")
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200000}"; rate="${2:-1000}"; seconds="${3:-5}"
scripts/install-deps.sh
swift build -c release --product hookpipe >/dev/null
bin="$(swift build -c release --show-bin-path)/hookpipe"
work="$(mktemp -d "${TMPDIR:-/tmp}/hookpipe-chain-bench.XXXXXX")"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secret="whsec_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$secret" > "$work/stripe.secret"
passthrough='import sys
for line in sys.stdin:
    sys.stdout.write(line)
    sys.stdout.flush()'
printf '%s\n' "$passthrough" > "$work/pass.py"

config() { # stages-toml output
  cat > "$work/pipeline.conf" <<CONF
[server]
host = "127.0.0.1"
port = $port
[log]
level = "warning"
[store]
state_directory = "state"
[chain]
output = "$2"
max_in_flight = 4096
[[source]]
name = "stripe"
path = "/hooks/stripe"
scheme = "stripe"
secrets = ["file:stripe.secret"]
$1
CONF
}
start() {
  "$bin" run --config "$work/pipeline.conf" 2> "$work/daemon.log" &
  pid=$!
  for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done
  echo "daemon did not start"; cat "$work/daemon.log"; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }
stage() { printf '[[stage]]\nname = "%s"\ncommand = %s\n' "$1" "$2"; }
checkpoint() { sqlite3 "$work/state/hookpipe.sqlite" "SELECT COALESCE((SELECT seq FROM checkpoints WHERE consumer='chain'),0)"; }

# Create the schema, then the backlog.
config "" "discard"; start; stop
python3 bench/fill_store.py "$work/state/hookpipe.sqlite" "$count" "$work/envelopes.ndjson"

measure() { # label stages-toml
  sqlite3 "$work/state/hookpipe.sqlite" "DELETE FROM checkpoints"
  config "$2" "discard"
  local t0 t1 perf_pid=""; t0=$(date +%s.%N); start
  if [ "${PROFILE:-}" = "$1" ]; then
    perf record -F 999 -g -p "$pid" -o "$work/perf.data" -- sleep 5 >/dev/null 2>&1 & perf_pid=$!
  fi
  while [ "$(checkpoint)" -lt "$count" ]; do sleep 0.05; done
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -60 > "${PROFILE_OUT:-/tmp/hookpipe-chain.perf.txt}" || true
  fi
  t1=$(date +%s.%N); stop
  echo "scale=0; $count / ($t1 - $t0)" | bc
}
ceiling() { # shell pipeline
  local t0 t1; t0=$(date +%s.%N); bash -c "$1" < "$work/envelopes.ndjson" > /dev/null; t1=$(date +%s.%N)
  echo "scale=0; $count / ($t1 - $t0)" | bc
}
cat3=$(measure "3 x cat" "$(stage a '["cat"]'; stage b '["cat"]'; stage c '["cat"]')")
cat3_shell=$(ceiling "cat | cat | cat")
jq1=$(measure "jq" "$(stage jq '["jq", "-c", "."]')")
jq1_shell=$(ceiling "jq -c .")
py1=$(measure "python" "$(stage py "[\"python3\", \"$work/pass.py\"]")")
py1_shell=$(ceiling "python3 $work/pass.py")

# End-to-end latency through 3 cat stages into a file.
sqlite3 "$work/state/hookpipe.sqlite" "DELETE FROM events; INSERT OR REPLACE INTO checkpoints (consumer, seq) VALUES ('chain', (SELECT seq FROM sqlite_sequence WHERE name='events'))"
config "$(stage a '["cat"]'; stage b '["cat"]'; stage c '["cat"]')" "file:$work/out.ndjson"
start
read -r e2e_p50 e2e_p99 e2e_max e2e_seen e2e_sent < <(python3 bench/e2e_latency.py "$port" "$secret" "$work/out.ndjson" "$rate" "$seconds")
stop

echo "hookpipe chain benchmark — $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $count stored events of ~1 KiB"
echo
echo "| chain | hookpipe events/s | shell pipeline events/s | hookpipe ÷ shell |"
echo "|---|---:|---:|---:|"
printf '| 3 × cat | %s | %s | %.2f |\n' "$cat3" "$cat3_shell" "$(echo "$cat3 / $cat3_shell" | bc -l)"
printf '| jq -c . | %s | %s | %.2f |\n' "$jq1" "$jq1_shell" "$(echo "$jq1 / $jq1_shell" | bc -l)"
printf '| python pass-through | %s | %s | %.2f |\n' "$py1" "$py1_shell" "$(echo "$py1 / $py1_shell" | bc -l)"
printf '| 3 × cat ÷ jq under hookpipe | %.2f | | |\n' "$(echo "$cat3 / $jq1" | bc -l)"
echo
echo "end-to-end (request sent -> line out of 3 cat stages) at $rate events/s for ${seconds}s: p50 ${e2e_p50}us p99 ${e2e_p99}us max ${e2e_max}us ($e2e_seen of $e2e_sent seen)"
