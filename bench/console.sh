#!/usr/bin/env bash
# Web console benchmark (issue 27), two parts in one run on one store:
#   1. page loads with COUNT stored events (default 1,000,000): the store is
#      filled with `hookpipe inject` (1 KiB events; 95 % stripe, 5 % github,
#      injected in 20 alternating slices, every 250,000th stripe event a
#      poison one), then a daemon with a one-stage chain (a Python stage that
#      exits on poison events, poison_after = 1) works through the backlog,
#      so the store holds a checkpoint and dead letters as in use (each
#      poison event costs about 45 s here: the chain isolates the stage's
#      held events one at a time to find it). Each page
#      is then loaded LOADS times (default 50, after one warm-up), each load
#      on a new connection, timed to the last byte
#      (bench/console_pages.py): median, p95 and max. Target: < 200 ms.
#   2. c=64 durable acks/s (bench/receiver.sh's load: uniquely signed 1 KiB
#      Stripe events, wrk with bench/signed.lua, 2 threads) on the same
#      store, daemon restarted without stages: alternating rounds without
#      the console and with /console/ and /console/events fetched every
#      second (ROUNDS pairs, default 2, in the order off on on off), so
#      drift hits both sides. Accepted/s counts new seqs in the store.
# Not a test: figures only.
#   bench/console.sh [seconds-per-run]        (default 10)
#   COUNT=100000 bench/console.sh             (a smaller store)
#   LOADS=50 ROUNDS=2                         (loads per page; off/on pairs)
#   HOOKPIPE_BIN=path                         (a release build; without it one is built here)
#   KEEP_WORK=1                               (keep the work directory: store, logs)
#   FILLED=DIR                                (use the state directory DIR of an earlier run, kept
#                                              with KEEP_WORK=1, instead of filling one: part 1's
#                                              fill and chain are skipped, DIR is written to)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"
duration="${1:-10}"
count="${COUNT:-1000000}"
loads="${LOADS:-50}"
rounds="${ROUNDS:-2}"
need wrk wrk; need sqlite3 sqlite3; need bc bc
hookpipe=$(hookpipe_binary)
bench_init console
dir="$work/hp"
port=$(free_port)
admin=$(free_port)
base="http://127.0.0.1:$admin"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

github_source=$'[[source]]\nname = "github"\npath = "/hooks/github"\nscheme = "github"\nsecrets = ["file:github.secret"]\n'
config() { # stages-toml
  ADMIN=1 ADMIN_PORT=$admin hp_config "$dir" "$port" "$github_source$1" "discard" warning \
    $'flush_after = "200ms"\npoison_after = 1'
  printf 'gh_bench_%s' "$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$dir/github.secret"
}

# --- 1. fill the store --------------------------------------------------------
stripe_count=$((count * 95 / 100))
github_count=$((count - stripe_count))
# The chain's one stage: exits 3 on a poison event (poison_after = 1: each becomes a dead letter).
cat > "$work/picky.py" <<'PY'
import json, sys
for line in sys.stdin:
    if '"poison":true' in line and json.loads(line)["payload"].get("poison"):
        print("poison event " + str(json.loads(line)["seq"]), file=sys.stderr, flush=True)
        sys.exit(3)
    sys.stdout.write(line)
    sys.stdout.flush()
PY
picky="$(hp_stage picky "[\"python3\", \"$work/picky.py\"]")"
fill_rate="n/a (an earlier run's store)"
if [ -n "${FILLED:-}" ]; then
  [ -f "$FILLED/hookpipe.sqlite" ] || die "FILLED=$FILLED holds no hookpipe.sqlite"
  mkdir -p "$dir"
  ln -s "$(cd "$FILLED" && pwd)" "$dir/state"
  config "$picky"
  hp_start "$dir" "$port"
else
  python3 bench/console_pages.py ndjson "$stripe_count" "$work/stripe.ndjson" --poison-every 250000 --prefix evt_console
  python3 bench/console_pages.py ndjson "$github_count" "$work/github.ndjson" --prefix gh_console
  (cd "$work" && split -n l/20 -d stripe.ndjson stripe. && split -n l/20 -d github.ndjson github.)
  # inject writes into a store the daemon made: start it once without a chain.
  config ""
  hp_start "$dir" "$port"
  hp_stop
  config "$picky"
  t0=$(date +%s.%N)
  for slice in $(cd "$work" && ls stripe.?? | sed 's/stripe.//'); do
    "$hookpipe" inject --config "$dir/pipeline.conf" --source stripe < "$work/stripe.$slice" > /dev/null
    "$hookpipe" inject --config "$dir/pipeline.conf" --source github < "$work/github.$slice" > /dev/null
  done
  t1=$(date +%s.%N)
  rm -f "$work"/stripe.* "$work"/github.*
  stored=$(hp_last_seq "$dir")
  [ "$stored" -eq "$count" ] || die "inject stored $stored events, not $count"
  fill_rate=$(echo "scale=0; $count / ($t1 - $t0)" | bc)
  echo "filled: $count events by hookpipe inject in $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s ($fill_rate/s)" >&2
  t0=$(date +%s.%N)
  hp_start "$dir" "$port"
  hp_wait_checkpoint "$dir" "$((count - 1))" 1200 || die "the chain did not settle $count events within 1200 s (checkpoint $(hp_checkpoint "$dir"))"
  t1=$(date +%s.%N)
  echo "chain: settled in $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s" >&2
fi
letters=$(hp_sql "$dir" "SELECT count(*) FROM dead_letters")
stored=$(hp_last_seq "$dir")
db_size=$(du -mL "$dir/state" | awk '{print $1}')

# --- 1. page loads -------------------------------------------------------------
middle=$((count / 2))
middle_time=$(hp_sql "$dir" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', received_at / 1000000, 'unixepoch') FROM events WHERE seq = $middle")
pages=(
  "/console/"
  "/console/events"
  "/console/events?source=github"
  "/console/events?outcome=dead-lettered"
  "/console/events?id=evt_console_$((stripe_count / 3))"
  "/console/events?before=$middle_time"
  "/console/events?before_seq=$middle"
  "/console/events?before_seq=1000"
  "/console/events?source=github&before_seq=$middle"
  "/console/events/$middle"
  "/console/dead-letters"
)
python3 bench/console_pages.py time "$base" "$loads" "${pages[@]}" > "$work/pages.tsv"
hp_stop

# --- 2. c=64 with and without the console polled ------------------------------------
config ""
hp_start "$dir" "$port"
declare -A rate
polls=()
order=()
for ((r = 0; r < rounds; r++)); do
  if ((r % 2 == 0)); then order+=(off on); else order+=(on off); fi
done
i=0
for mode in "${order[@]}"; do
  i=$((i + 1))
  python3 bench/make_requests.py $((25000 * duration)) "$hp_secret" "$work/req.txt" --raw /hooks/stripe --prefix "console_r$i"
  poller=""
  if [ "$mode" = on ]; then
    python3 bench/console_pages.py poll "$base" "$duration" /console/ /console/events > "$work/poll-$i.tsv" &
    poller=$!
    bench_track "$poller"
  fi
  before=$(hp_last_seq "$dir")
  wrk_signed "$port" 64 2 "$duration" "$work/req.txt" "$work/wrk-$i.txt"
  after=$(hp_last_seq "$dir")
  [ -n "$poller" ] && wait "$poller"
  rate[$mode]="${rate[$mode]:-} $(echo "scale=1; ($after - $before) / $duration" | bc)"
  if [ "$mode" = on ]; then
    read -r fetches statuses poll_median poll_max < "$work/poll-$i.tsv"
    polls+=("round $i: $fetches fetches ($statuses), median ${poll_median} ms, max ${poll_max} ms")
    echo "round $i ($mode): $(echo "${rate[$mode]}" | awk '{print $NF}')/s; ${polls[-1]}" >&2
  else
    echo "round $i ($mode): $(echo "${rate[$mode]}" | awk '{print $NF}')/s" >&2
  fi
done
hp_stop
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
off=$(echo "${rate[off]}" | median)
on=$(echo "${rate[on]}" | median)
echo "hookpipe web console benchmark — $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${duration}s per wrk run"
echo "hookpipe: $hookpipe; load average at start $load_start, at end $load_end"
echo "store: $stored events when the pages were loaded ($stripe_count stripe, $github_count github injected; $letters dead letters), $db_size MiB; filled by hookpipe inject at $fill_rate events/s"
echo
echo "Page loads, $loads each after one warm-up, new connection each, to the last byte:"
echo
echo "| page | median ms | p95 ms | max ms | status | bytes |"
echo "|---|---:|---:|---:|---|---:|"
while IFS=$'\t' read -r path med p95 max statuses bytes; do
  printf '| `%s` | %s | %s | %s | %s | %s |\n' "$path" "$med" "$p95" "$max" "$statuses" "$bytes"
done < "$work/pages.tsv"
echo
echo "c=64 durable acks/s (stored events per second), order: ${order[*]}:"
echo
echo "| console | runs (acks/s) | median |"
echo "|---|---|---:|"
echo "| not polled | ${rate[off]# } | $off |"
echo "| /console/ and /console/events every second | ${rate[on]# } | $on |"
echo
echo "polled ÷ not polled: $(echo "scale=3; $on / $off" | bc | sed 's/^\./0./')"
echo "console pages under that load (/console/ and /console/events, each once a second):"
printf '  %s\n' "${polls[@]}"
