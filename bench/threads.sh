#!/usr/bin/env bash
# Where a durable ack's CPU goes, thread by thread, at c=64: each thread's
# user + system time over the middle of a wrk run (uniquely signed 1 KiB
# Stripe events, fresh store), divided by the events stored in that window.
# Figures only, not a test. bench/run.sh's tables give whole-process CPU;
# this splits it, for instance hookpipe's writer from its event loops.
#
#   bench/threads.sh [--seconds S] [--window W] SERVER ...
#
# SERVER is a hookpipe release binary, or `ackserver-mt` (bench/ackserver.c
# threaded: a reading thread per core, one writer). Defaults: 8 s of wrk,
# the 5 s after its first 2 s measured. Stops every process it started.
#
#   bench/threads.sh .build-release/release/hookpipe ackserver-mt
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"

seconds=8; window=5; servers=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --window) window="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) servers+=("$1") ;;
  esac
  shift
done
[ ${#servers[@]} -ge 1 ] || die "name at least one server (see --help)"
# The window opens 2 s into the run and must close before wrk stops.
[ $((window + 2)) -lt "$seconds" ] || die "--window must end before the run does: at most --seconds minus 3"
need wrk wrk; need sqlite3 sqlite3; need cc gcc
bench_init threads
ack_build "$work/ackserver-bin" 2> "$work/ackserver-build.log" || die "bench/ackserver.c did not compile (see $work/ackserver-build.log)"
hz=$(getconf CLK_TCK)

# One line per thread: tid, name, ticks so far.
thread_ticks() { # pid
  local task
  for task in /proc/"$1"/task/*; do
    printf '%s\t%s\t%s\n' "${task##*/}" "$(cat "$task/comm")" "$(awk '{print $14 + $15}' "$task/stat")"
  done
}

for server in "${servers[@]}"; do
  dir="$work/run"; rm -rf "$dir"; mkdir -p "$dir"; port=$(free_port)
  python3 bench/make_requests.py $((50000 * seconds)) "$hp_secret" "$dir/requests.txt" --raw /hooks/stripe
  if [ "$server" = ackserver-mt ]; then
    "$work/ackserver-bin" "$port" "$dir" sqlite threaded > "$dir/ackserver.json" 2> "$dir/ackserver.err" &
    pid=$!; bench_track "$pid"
    wait_port "$port" "$pid" || die "ackserver-mt did not start"
    stored() { ack_last_seq "$dir" sqlite; }
  else
    [ -x "$server" ] || die "$server is not an executable (a hookpipe binary, or ackserver-mt)"
    hookpipe=$server
    hp_config "$dir" "$port" "" discard warning
    hp_start "$dir" "$port"; pid=$hp_pid
    stored() { hp_last_seq "$dir"; }
  fi
  wrk_signed "$port" 64 2 "$seconds" "$dir/requests.txt" "$dir/wrk.txt" &
  wrk_pid=$!; bench_track "$wrk_pid"
  sleep 2
  before=$(stored); thread_ticks "$pid" > "$dir/ticks0"
  sleep "$window"
  after=$(stored); thread_ticks "$pid" > "$dir/ticks1"
  wait "$wrk_pid" || true
  bench_kill "$pid" 30
  events=$((after - before))
  echo "$server: $events events stored in ${window} s ($((events / window))/s)"
  # Threads that ran at least 1 % of the window: CPU seconds, share of one core, µs per stored event.
  join -t $'\t' <(sort "$dir/ticks0") <(sort "$dir/ticks1") | awk -F'\t' -v hz="$hz" -v w="$window" -v n="$events" '
    { cpu = ($5 - $3) / hz; if (cpu < 0.01 * w) next
      printf "  %-16s %6.2f s  %4.0f %% of a core  %6.1f µs per event\n", $2, cpu, cpu / w * 100, n ? cpu / n * 1e6 : 0 }'
done
