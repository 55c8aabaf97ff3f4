#!/usr/bin/env bash
# hookpipe next to its peers, in one run on 127.0.0.1:
#   - nginx answering 200 after reading the body (the machine's HTTP ceiling),
#   - adnanh/webhook (Debian package `webhook`) with an HMAC rule, in its
#     default mode (200 before its command runs) and in durable mode
#     (include-command-output-in-response, command appends + fsyncs).
# Measures: accepted req/s and latency at c=1 and c=64 (wrk, closed loop);
# latency against offered load (bench/openloop.c, open loop); the disk's
# fsync floor; CPU per accepted request at c=64 (hookpipe, nginx) next to the
# parts of an ack in plain C (bench/parts.c: jansson parse, SQLite append;
# HMAC with openssl speed); the same durable ack in plain C (bench/ackserver.c)
# at c=1 and c=64, as a reference for what these parts allow, once storing to
# SQLite as hookpipe does and once to an append-only log (bench/acklog.h), as
# a reference for what another store's shape would allow, and once more to
# SQLite with a reading thread per core and a writer thread, laid out as
# hookpipe's threads are, as a reference for what both cores allow; SwiftNIO's HTTP
# server alone, with and without a jansson parse (bench/nio-floor), as the
# cost of hookpipe's own HTTP stack;
# whether hookpipe really fsyncs before acknowledging (strace);
# loss of acknowledged events on SIGTERM under load, for every server; chain
# throughput against shell pipelines; end-to-end latency at 1,000 events/s;
# RSS idle and with a stored backlog; time to READY=1 with that backlog.
# bench/report.py turns the results into a table with ratios and targets,
# the "Peers" block of docs/BENCHMARKS.md, and a PNG chart.
#
#   bench/run.sh                 full run (10 s per wrk run, 1M-event backlog); writes docs/
#   bench/run.sh --quick         short runs, 100k backlog; results under $TMPDIR, docs untouched
#   bench/run.sh --quick --docs  also write docs/ (labelled quick)
#   bench/run.sh --note "measured while other builds were running"
#   HOOKPIPE_BIN=path bench/run.sh   use that release binary instead of building one
#   KEEP_WORK=1 bench/run.sh     keep the work directory (logs, raw outputs)
#
# Installs wrk, nginx, webhook, strace, sqlite3, jq, bc (apt) and matplotlib
# (pip) when missing. Every process it starts is stopped on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"

quick=0; docs=""; note=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --docs) docs=1 ;;
    --no-docs) docs=0 ;;
    --note) note="$2"; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
[ -z "$docs" ] && docs=$(( 1 - quick ))

if [ "$quick" = 1 ]; then
  wrk_seconds=3; ladder_seconds=2; ladder_rates="250 1000 4000 16000"
  floor_samples=500; chain_events=200000; backlog_events=100000; e2e_seconds=3
  kill_seconds=3; kill_rate=1000; rss_seconds=2
else
  wrk_seconds=10; ladder_seconds=4; ladder_rates="100 250 500 1000 2000 4000 8000 16000 24000 32000"
  floor_samples=2000; chain_events=200000; backlog_events=1000000; e2e_seconds=5
  kill_seconds=6; kill_rate=2000; rss_seconds=5
fi
e2e_rate=1000

# --- tools ----------------------------------------------------------------
need wrk wrk; need nginx nginx; need webhook webhook; need strace strace
need sqlite3 sqlite3; need jq jq; need bc bc; need cc gcc; need python3 python3
python3 -c 'import matplotlib' 2>/dev/null || python3 -m pip install -q matplotlib >/dev/null 2>&1 \
  || die "matplotlib is missing and pip could not install it"
hookpipe=$(hookpipe_binary)
bench_init peers
res="$work/results"; raw="$res/raw"; mkdir -p "$raw"
cc -O2 -Wall -o "$work/openloop" bench/openloop.c || die "cannot compile bench/openloop.c"
openloop="$work/openloop"
# The parts of an ack hookpipe cannot skip, in plain C (jansson and SQLite
# headers come with the project's build dependencies), and the same ack with
# nothing around it (bench/ackserver.c), as a reference server.
parts=""; ackserver=""
cc -O2 -Wall -o "$work/parts" bench/parts.c -ljansson -lsqlite3 2>> "$work/parts-build.log" && parts="$work/parts" \
  || echo "bench: bench/parts.c did not compile (libjansson-dev, libsqlite3-dev?); the CPU parts table is left out" >&2
# (Not $work/ackserver: that is the server's own directory, made afresh.)
ack_build "$work/ackserver-bin" 2>> "$work/parts-build.log" && ackserver="$work/ackserver-bin" \
  || echo "bench: bench/ackserver.c did not compile; the plain C reference is left out" >&2

# SwiftNIO's HTTP/1.1 server with nothing behind it (bench/nio-floor), the
# library hookpipe's receiver is built on: the cost of HTTP in hookpipe's own stack.
nio_floor=$(nio_floor_binary)
[ -n "$nio_floor" ] || echo "bench: bench/nio-floor did not build; the SwiftNIO yardstick is left out" >&2

# Facts for report.py: one JSON object per line, {"k": key, "v": value}.
fact() { printf '{"k": "%s", "v": %s}\n' "$1" "$2" >> "$res/facts.jsonl"; }
fact_s() { fact "$1" "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$2")"; }
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

fact quick "$quick"
fact_s note "$note"
fact_s date "$(date -u +%Y-%m-%dT%H:%MZ)"
fact_s cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fact cores "$(nproc)"
fact_s memory "$(free -h | awk '/^Mem:/ {print $2}')"
fact_s kernel "$(uname -sr)"
fact_s os "$(. /etc/os-release && echo "$PRETTY_NAME")"
fact_s disk "$(df -T "$work" | awk 'NR==2 {print $1 " (" $2 ")"}')"
fact_s load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
fact_s nginx_version "$(nginx -v 2>&1 | sed 's/.*nginx\///')"
fact_s webhook_version "$(webhook -version 2>&1 | awk '{print $3}')"
fact_s webhook_package "$(dpkg-query -W -f='${Version}' webhook 2>/dev/null || echo unknown)"
fact_s wrk_version "$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
fact_s hookpipe_commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo '+changes')"
fact_s hookpipe_bin "${HOOKPIPE_BIN:-built by bench/run.sh}"
fact seconds "{\"wrk\": $wrk_seconds, \"ladder\": $ladder_seconds, \"e2e\": $e2e_seconds, \"kill\": $kill_seconds}"
fact kill_rate "$kill_rate"

# --- the servers ------------------------------------------------------------
# start_server NAME sets srv_pid, srv_port, srv_path, srv_scheme,
# srv_secret; each gets a fresh directory $work/NAME.
srv_pid=""
start_server() {
  local name=$1 dir="$work/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  srv_port=$(free_port)
  case "$name" in
    hookpipe)
      # Receive and store; with $2 (a chain) for the durability check.
      hp_config "$dir" "$srv_port" "${2:-}" "${3:-discard}" "${LOG_LEVEL:-warning}"
      hp_start "$dir" "$srv_port"; srv_pid=$hp_pid
      srv_path=/hooks/stripe; srv_scheme=stripe; srv_secret=$hp_secret ;;
    nginx)
      # `return 200` alone answers as soon as the headers are in and discards
      # the body afterwards (checked: with 10 of 1,000 body bytes sent, it
      # has already answered). mirror_request_body makes nginx read the whole
      # body into its buffer (precontent phase) before the request goes on;
      # the static handler then finds no file (404), which error_page turns
      # into `return 200` in @ok. The mirror subrequest itself goes to an
      # internal location that answers 204 at once.
      # Workers run as an unprivileged user: they need to reach $dir/empty.
      mkdir -p "$dir/empty"; chmod 755 "$work" "$dir" "$dir/empty"
      cat > "$dir/nginx.conf" <<NGINX
daemon off;
worker_processes $(nproc);
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  client_body_buffer_size 64k;
  client_max_body_size 1m;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$srv_port;
    location = /hooks/stripe {
      root $dir/empty;
      log_not_found off;
      mirror /sink;
      mirror_request_body on;
      error_page 404 =200 @ok;
    }
    location @ok { return 200; }
    location = /sink { internal; return 204; }
  }
}
NGINX
      nginx -c "$dir/nginx.conf" -p "$dir" 2>> "$dir/error.log" &
      srv_pid=$!; bench_track "$srv_pid"
      srv_path=/hooks/stripe; srv_scheme=stripe; srv_secret=$hp_secret ;;
    webhook|webhook-durable)
      local durable=false; [ "$name" = webhook-durable ] && durable=true
      srv_secret="bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      # One hook: HMAC-SHA256 of the body in X-Signature ("sha256=<hex>"),
      # command bench/webhook_store.sh appends the raw body and fsyncs.
      cat > "$dir/hooks.json" <<HOOKS
[{"id": "bench", "execute-command": "$bench_root/bench/webhook_store.sh",
  "command-working-directory": "$dir",
  "include-command-output-in-response": $durable,
  "http-methods": ["POST"],
  "pass-arguments-to-command": [{"source": "string", "name": "$dir/store.ndjson"}, {"source": "raw-request-body"}],
  "trigger-rule": {"match": {"type": "payload-hmac-sha256", "secret": "$srv_secret",
                             "parameter": {"source": "header", "name": "X-Signature"}}}}]
HOOKS
      webhook -hooks "$dir/hooks.json" -ip 127.0.0.1 -port "$srv_port" > "$dir/webhook.log" 2>&1 &
      srv_pid=$!; bench_track "$srv_pid"
      srv_path=/hooks/bench; srv_scheme=webhook ;;
    ackserver|acklog|ackserver-mt)
      # Reference, not a peer: hookpipe's ack in plain C (see bench/ackserver.c);
      # acklog: the same, storing to an append-only log instead of SQLite;
      # ackserver-mt: SQLite again, with a reading thread per core and a writer.
      local mode=sqlite; [ "$name" = acklog ] && mode=log; [ "$name" = ackserver-mt ] && mode="sqlite threaded"
      "$ackserver" "$srv_port" "$dir" $mode > "$dir/ackserver.json" 2> "$dir/ackserver.err" &
      srv_pid=$!; bench_track "$srv_pid"
      srv_path=/hooks/stripe; srv_scheme=stripe; srv_secret=$hp_secret ;;
    nio|nio-parse)
      # Yardstick, not a peer: SwiftNIO reading each body and answering 200
      # (nio-parse: after jansson parsed it), as hookpipe's listener is set up.
      local mode=""; [ "$name" = nio-parse ] && mode=parse
      "$nio_floor" "$srv_port" $mode > "$dir/nio-floor.log" 2>&1 &
      srv_pid=$!; bench_track "$srv_pid"
      srv_path=/hooks/stripe; srv_scheme=stripe; srv_secret=$hp_secret ;;
    *) die "unknown server $name" ;;
  esac
  wait_port "$srv_port" "$srv_pid" || die "$name did not start (see $dir)"
}
# SIGTERM, wait (hookpipe drains its chain; 60 s at most), SIGKILL.
stop_server() { bench_kill "$srv_pid" 60; srv_pid=""; }
servers="hookpipe nginx webhook webhook-durable"
# The closed loop also runs the plain C reference (SQLite, then a log, then SQLite
# over threads as hookpipe's are), when it compiled, and SwiftNIO alone, with and
# without jansson, when it built.
closed_servers="$servers${ackserver:+ ackserver acklog ackserver-mt}${nio_floor:+ nio nio-parse}"
# Rows a store-backed server committed: hookpipe's store, or the reference's.
stored_rows() { # name
  case "$1" in
    hookpipe) hp_last_seq "$work/$1" ;;
    ackserver|ackserver-mt) ack_last_seq "$work/$1" sqlite ;;
    acklog) ack_last_seq "$work/$1" log ;;
  esac
}
# CPU ticks the whole machine spent busy, and idle, so far (/proc/stat;
# steal is the hypervisor's, not ours, and counts as neither).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }

# Requests for the current server: COUNT uniquely signed 1 KiB events.
requests() { # count out [raw] [prefix] [random-ids]
  local args=("$1" "$srv_secret" "$2" --scheme "$srv_scheme")
  [ -n "${3:-}" ] && args+=(--raw "$srv_path")
  [ -n "${4:-}" ] && args+=(--prefix "$4")
  [ -n "${5:-}" ] && args+=(--random-ids)
  python3 bench/make_requests.py "${args[@]}"
}

# --- 1. the disk's fsync floor ------------------------------------------------
say "fsync floor ($floor_samples × 1 KiB append + fsync)"
read -r f50 f99 f999 < <(python3 bench/fsync_floor.py "$work" "$floor_samples")
fact fsync_floor "{\"p50\": $f50, \"p99\": $f99, \"p999\": $f999}"

# --- 2. closed loop: wrk at c=1 and c=64 ------------------------------------
# The server's CPU per accepted request: tree_ticks (lib.sh).
ticks_per_s=$(getconf CLK_TCK)
for name in $closed_servers; do
  start_server "$name"
  # hookpipe and the reference must never see a request twice (duplicates
  # are not stored), so they get more unique requests than they can take;
  # the others may cycle.
  # The two stores run c=64 twice: with ids that follow each other (like
  # MercadoPago's or Standard Webhooks'), and with random ones (like
  # Stripe's, GitHub's or Shopify's), which land anywhere in the dedupe index.
  case "$name" in
    hookpipe|ackserver|ackserver-mt) n1=$((8000 * wrk_seconds)); n64=$((40000 * wrk_seconds)); runs="1 64 64r" ;;
    acklog) n1=$((8000 * wrk_seconds)); n64=$((60000 * wrk_seconds)); runs="1 64 64r" ;;
    *) n1=20000; n64=100000; runs="1 64" ;;
  esac
  for c in $runs; do
    n=$n1; t=1; conns=${c%r}; [ "$conns" = 64 ] && { n=$n64; t=2; }
    random_ids=""; [ "$c" != "$conns" ] && random_ids=yes
    say "wrk $name c=$conns${random_ids:+, random ids} ${wrk_seconds}s"
    requests "$n" "$work/req.txt" raw "" "$random_ids"
    before=$(stored_rows "$name")
    if [ "$c" = 1 ] && [ -n "$before" ]; then
      # The disk's latency drifts by tens of per cent within minutes here: the
      # c=1 acks are read against a floor measured right before them, too.
      read -r g50 g99 g999 < <(python3 bench/fsync_floor.py "$work" 500)
      key=fsync_floor_c1; [ "$name" != hookpipe ] && key=fsync_floor_c1_$name
      fact "$key" "{\"p50\": $g50, \"p99\": $g99, \"p999\": $g999}"
    fi
    lines0=0; [ -f "$work/$name/store.ndjson" ] && lines0=$(wc -l < "$work/$name/store.ndjson")
    server0=$(tree_ticks "$srv_pid"); read -r busy0 idle0 < <(machine_ticks)
    wrk_signed "$srv_port" "$conns" "$t" "$wrk_seconds" "$work/req.txt" "$raw/wrk-$name-c$c.txt"
    read -r busy1 idle1 < <(machine_ticks)
    fact "machine_${name}_c$c" "$(awk -v b=$(( busy1 - busy0 )) -v i=$(( idle1 - idle0 )) -v hz="$ticks_per_s" \
      'BEGIN { printf "{\"busy_s\": %.3f, \"idle_s\": %.3f}", b / hz, i / hz }')"
    fact "cpu_${name}_c$c" "$(awk -v s=$(( $(tree_ticks "$srv_pid") - server0 )) -v hz="$ticks_per_s" 'BEGIN { printf "%.3f", s / hz }')"
    stored=null
    [ -n "$before" ] && stored=$(( $(stored_rows "$name") - before ))
    if [ "$name" = webhook-durable ]; then stored=$(( $(wc -l < "$work/$name/store.ndjson") - lines0 )); fi
    fact "stored_${name}_c$c" "$stored"
  done
  stop_server
done

# --- 2b. the parts hookpipe cannot skip, in plain C ---------------------------
# jansson parsing one of the benchmark's bodies, SQLite appending events in
# batches of 24 (about hookpipe's batch at c=64), HMAC-SHA256 of the body.
if [ -n "$parts" ]; then
  say "CPU of the parts: jansson, SQLite, HMAC"
  python3 bench/make_requests.py 1 "$hp_secret" "$work/one.txt"
  cut -f2 "$work/one.txt" | tr -d '\n' > "$work/one-body.json"
  mkdir -p "$work/parts-db"
  fact parts "$("$parts" "$work/one-body.json" "$work/parts-db" 24 100000)"
  # openssl speed prints thousands of bytes per second for that block size.
  hmac_kbps=$(openssl speed -seconds 1 -bytes "$(wc -c < "$work/one-body.json")" -hmac sha256 2>/dev/null \
    | awk '/^hmac\(sha256\)/ {sub("k", "", $2); print $2}' || true)
  if [ -n "$hmac_kbps" ]; then
    fact hmac_us "$(awk -v n="$(wc -c < "$work/one-body.json")" -v k="$hmac_kbps" 'BEGIN { printf "%.3f", n / (k * 1000) * 1e6 }')"
  fi
fi

# --- 3. open loop: latency against offered load ----------------------------
for name in $servers; do
  start_server "$name"
  for rate in $ladder_rates; do
    say "open loop $name $rate/s ${ladder_seconds}s"
    n=$(( rate * ladder_seconds ))
    requests "$n" "$work/req.raw" raw "ladder_${name}_${rate}"
    "$openloop" "$srv_port" "$rate" "$ladder_seconds" 64 "$work/req.raw" >> "$raw/ladder-$name.jsonl"
    # Stop climbing once the server is saturated (under 90 % of the offered
    # rate answered 2xx, or p99 over 1 s): higher rates only queue.
    if python3 - "$raw/ladder-$name.jsonl" <<'PY'; then break; fi
import json, sys
last = json.loads(open(sys.argv[1]).read().splitlines()[-1])
sys.exit(0 if last["achieved"] < 0.9 * last["offered"] or last["p99"] > 1e6 else 1)
PY
  done
  stop_server
done

# --- 4. does hookpipe fsync before it acknowledges? -------------------------
# strace counts fsync/fdatasync calls of the running daemon while 200
# requests are answered one at a time.
say "hookpipe: syncs per acknowledged request (strace)"
start_server hookpipe
requests 200 "$work/req.raw" raw "synccheck"
strace -f -qq -e trace=fsync,fdatasync -p "$srv_pid" -o "$work/strace.txt" 2>/dev/null &
strace_pid=$!; bench_track "$strace_pid"; sleep 1
"$openloop" "$srv_port" 100 2 1 "$work/req.raw" > "$raw/synccheck.json"
sleep 0.3
bench_kill "$strace_pid" 5
syncs=$(grep -cE 'f(data)?sync\(' "$work/strace.txt" || true)
fact hookpipe_syncs "{\"syncs\": ${syncs:-0}, \"acked\": $(jq .ok "$raw/synccheck.json")}"
stop_server

# --- 5. durability: SIGTERM under load --------------------------------------
# kill_rate requests/s for kill_seconds; SIGTERM halfway. Acknowledged =
# answered 2xx (openloop's ack log); processed = hookpipe: in the chain's
# output after a restart has drained the backlog (and stored rows);
# webhook: lines its command appended; nginx: nothing (it stores nothing).
for name in $servers; do
  say "durability $name: SIGTERM under $kill_rate/s"
  if [ "$name" = hookpipe ]; then
    chain="$(hp_stage a '["cat"]'; hp_stage b '["cat"]'; hp_stage c '["cat"]')"
    start_server hookpipe "$chain" "file:$work/hookpipe/out.ndjson"
  else
    start_server "$name"
  fi
  dir="$work/$name"
  requests $(( kill_rate * kill_seconds )) "$work/req.raw" raw "kill_${name}"
  "$openloop" "$srv_port" "$kill_rate" "$kill_seconds" 64 "$work/req.raw" "$dir/acked.txt" > "$raw/kill-$name.json" &
  load_pid=$!; bench_track "$load_pid"
  sleep "$(echo "$kill_seconds / 2" | bc -l)"
  t0=$(date +%s.%N)
  kill -TERM "$srv_pid"
  bench_kill "$srv_pid" 60; srv_pid=""
  stop_s=$(echo "$(date +%s.%N) - $t0" | bc -l)
  wait "$load_pid" || true
  sleep 1  # webhook's commands still running after it exited may finish
  processed="$dir/processed.txt"; : > "$processed"
  case "$name" in
    hookpipe)
      # Restart: the chain resumes after its checkpoint; wait until it caught up.
      hp_start "$dir" "$srv_port"; srv_pid=$hp_pid
      hp_wait_checkpoint "$dir" "$(hp_last_seq "$dir")" 60 || say "hookpipe: chain did not catch up within 60 s"
      stop_server
      hp_sql "$dir" "SELECT dedupe_key FROM events" > "$dir/stored.txt"
      jq -R -r "fromjson? | .id" "$dir/out.ndjson" > "$processed" ;;
    webhook|webhook-durable)
      [ -f "$dir/store.ndjson" ] && jq -R -r "fromjson? | .id" "$dir/store.ndjson" > "$processed" ;;
  esac
  python3 - "$dir/acked.txt" "$processed" "kill_${name}" "$stop_s" "${dir}/stored.txt" > "$raw/loss-$name.json" <<'PY'
import json, os, sys
acked_file, processed_file, prefix, stop_s, stored_file = sys.argv[1:6]
acked = {f"{prefix}_{line.strip()}" for line in open(acked_file) if line.strip()}
processed = {line.strip() for line in open(processed_file) if line.strip()}
result = {"acked": len(acked), "processed": len(processed & acked), "lost": len(acked - processed),
          "stop_seconds": round(float(stop_s), 2)}
if os.path.exists(stored_file):
    stored = {line.strip() for line in open(stored_file)}
    result["lost_from_store"] = len(acked - stored)
print(json.dumps(result))
PY
done

# --- 6. chain throughput and end-to-end latency ---------------------------
say "chain: $chain_events stored events"
cdir="$work/chain"; cport=$(free_port)
chain_passthrough_py "$work/pass.py"
hp_config "$cdir" "$cport" "" "discard"; hp_start "$cdir" "$cport"; hp_stop
python3 bench/fill_store.py "$cdir/state/hookpipe.sqlite" "$chain_events" "$work/envelopes.ndjson"
cat3_stages="$(hp_stage a '["cat"]'; hp_stage b '["cat"]'; hp_stage c '["cat"]')"
cat3=$(chain_measure "$cdir" "$cport" "$chain_events" "3 x cat" "$cat3_stages")
cat3_shell=$(chain_ceiling "$work/envelopes.ndjson" "$chain_events" "cat | cat | cat")
jq1=$(chain_measure "$cdir" "$cport" "$chain_events" "jq" "$(hp_stage jq '["jq", "-c", "."]')")
jq1_shell=$(chain_ceiling "$work/envelopes.ndjson" "$chain_events" "jq -c .")
py1=$(chain_measure "$cdir" "$cport" "$chain_events" "python" "$(hp_stage py "[\"python3\", \"$work/pass.py\"]")")
py1_shell=$(chain_ceiling "$work/envelopes.ndjson" "$chain_events" "python3 $work/pass.py")
fact chain "{\"events\": $chain_events, \"cat3\": $cat3, \"cat3_shell\": $cat3_shell, \"jq\": $jq1, \"jq_shell\": $jq1_shell, \"python\": $py1, \"python_shell\": $py1_shell}"
rm -f "$work/envelopes.ndjson"

say "end-to-end at $e2e_rate events/s for ${e2e_seconds}s"
hp_sql "$cdir" "DELETE FROM events; INSERT OR REPLACE INTO checkpoints (consumer, seq) VALUES ('chain', (SELECT seq FROM sqlite_sequence WHERE name='events'))"
hp_config "$cdir" "$cport" "$cat3_stages" "file:$cdir/out.ndjson"
hp_start "$cdir" "$cport"
read -r e50 e99 emax eseen esent < <(python3 bench/e2e_latency.py "$cport" "$hp_secret" "$cdir/out.ndjson" "$e2e_rate" "$e2e_seconds")
hp_stop
fact e2e "{\"rate\": $e2e_rate, \"p50\": $e50, \"p99\": $e99, \"max\": $emax, \"seen\": $eseen, \"sent\": $esent}"
rm -rf "$cdir"

# --- 7. memory and readiness ------------------------------------------------
say "memory: idle"
mdir="$work/memory"; mport=$(free_port)
hp_config "$mdir" "$mport" "$cat3_stages" "discard"
python3 bench/ready_rss.py "$hookpipe" "$mdir/pipeline.conf" "$rss_seconds" "$mdir/daemon.log" > "$raw/rss-idle.json" &
rr_pid=$!; bench_track "$rr_pid"; wait "$rr_pid"
say "memory: $backlog_events stored events"
python3 bench/fill_store.py "$mdir/state/hookpipe.sqlite" "$backlog_events" -
# A stage that passes 100 events/s on keeps the backlog in place.
printf '%s\n' 'import sys, time' 'for line in sys.stdin:' '    time.sleep(0.01)' '    sys.stdout.write(line)' '    sys.stdout.flush()' > "$work/slow.py"
hp_config "$mdir" "$mport" "$(hp_stage slow "[\"python3\", \"$work/slow.py\"]")" "discard" warning 'drain_timeout = "5s"'
for run in first restart; do
  python3 bench/ready_rss.py "$hookpipe" "$mdir/pipeline.conf" "$rss_seconds" "$mdir/daemon.log" > "$raw/rss-backlog-$run.json" &
  rr_pid=$!; bench_track "$rr_pid"; wait "$rr_pid"
done
fact backlog_events "$backlog_events"
fact backlog_remaining "$(( $(hp_last_seq "$mdir") - $(hp_checkpoint "$mdir") ))"
rm -rf "$mdir"

# --- report -----------------------------------------------------------------
# The disk's latency drifts with other work on the machine: measure it again.
read -r f50 f99 f999 < <(python3 bench/fsync_floor.py "$work" "$floor_samples")
fact fsync_floor_end "{\"p50\": $f50, \"p99\": $f99, \"p999\": $f999}"
fact_s load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
left=$(pgrep -f -- "$work" || true)
[ -n "$left" ] && { echo "bench: processes left behind, stopping them: $left" >&2; for p in $left; do bench_kill "$p" 5; done; }
fact_s leftover_processes "$left"
args=("$res")
if [ "$docs" = 1 ]; then
  args+=(--docs docs/BENCHMARKS.md --chart docs/bench-peers.png --json docs/bench-peers.json)
else
  out="${TMPDIR:-/tmp}/hookpipe-bench-quick"; mkdir -p "$out"
  args+=(--chart "$out/bench-peers.png" --json "$out/bench-peers.json" --markdown "$out/peers.md")
fi
python3 bench/report.py "${args[@]}"
