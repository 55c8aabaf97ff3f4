#!/usr/bin/env bash
# PostgreSQL backend benchmark: durable acks/s at concurrency 1 and 64 on
# loopback, three ways in one run, each beside the others:
#   - pgbench: one 1 KiB row inserted per transaction, at the same
#     concurrency, on the same scratch server: the engine's floor for one
#     durable commit per acknowledgement;
#   - hookpipe with [store] backend = "postgresql" on that server
#     (scripts/pg-scratch.sh: fsync on, synchronous_commit on, TCP on
#     127.0.0.1, SCRAM password; pool_size = 8);
#   - hookpipe with its embedded SQLite store.
# The load is bench/receiver.sh's: uniquely signed 1 KiB Stripe events sent by
# wrk (bench/signed.lua), c=1 with 1 thread, c=64 with 2. Accepted/s counts
# rows committed to the store (SQLite: new seqs; PostgreSQL: new rows in
# hookpipe.events, or wrk's 2xx answers when that table cannot be read).
# Not a test: figures only.
#   bench/pg.sh [seconds-per-run]          (default 10)
#   HOOKPIPE_BIN=path bench/pg.sh          (a release build; without it one is built here)
#   HOOKPIPE_BIN=none bench/pg.sh          (pgbench only; both hookpipe rows say "not run")
#   KEEP_WORK=1 bench/pg.sh                (keep the work directory: logs, the server's log)
# A binary whose [store] has no `backend` key (before the PostgreSQL backend)
# is detected with `hookpipe check`: its PostgreSQL row says "not run".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"
duration="${1:-10}"
need wrk wrk; need sqlite3 sqlite3; need bc bc
if [ "${HOOKPIPE_BIN:-}" = none ]; then hookpipe=""; else hookpipe=$(hookpipe_binary); fi
bench_init pg
pg="$work/pg"
pg_stop() { [ -f "$pg/url" ] && scripts/pg-scratch.sh stop "$pg" || true; }
# The server first: bench_cleanup would SIGTERM the postmaster (its command
# line names $work) and then SIGKILL it after 5 s.
trap 'pg_stop; bench_cleanup' EXIT

url=$(scripts/pg-scratch.sh start "$pg") || die "the scratch PostgreSQL did not start"
pg_bin=$(cat "$pg/pg_bin")
pg_version=$(scripts/pg-scratch.sh psql "$pg" -Atq -c 'SHOW server_version')
sql() { scripts/pg-scratch.sh psql "$pg" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

read -r floor_p50 floor_p99 floor_p999 < <(python3 bench/fsync_floor.py "$work" 2000)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# Requests: one file per concurrency, shared by both hookpipe stores (each
# store sees every id once). As in bench/run.sh, more than either can take.
python3 bench/make_requests.py $((8000 * duration)) "$hp_secret" "$work/req-c1.txt" --raw /hooks/stripe --prefix pgbench_c1
python3 bench/make_requests.py $((40000 * duration)) "$hp_secret" "$work/req-c64.txt" --raw /hooks/stripe --prefix pgbench_c64

# Results: res[name,c] = "accepted/s p50 p99" (latencies as wrk/pgbench give them).
declare -A res why

# --- pgbench: one 1 KiB row per transaction ---------------------------------
# As the hookpipe role, over TCP with its password, in a schema of its own.
"$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
CREATE SCHEMA bench;
CREATE TABLE bench.floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL);
SQL
printf "INSERT INTO bench.floor (payload) VALUES ('%s');\n" "$(head -c 1024 /dev/zero | tr '\0' x)" > "$work/floor.sql"
pgbench_run() { # conns threads
  local before after out tps lat
  before=$(sql "SELECT count(*) FROM bench.floor")
  out=$("$pg_bin/pgbench" -n -M prepared -f "$work/floor.sql" -c "$1" -j "$2" -T "$duration" "$url" 2>"$work/pgbench-c$1.err") \
    || { tail -5 "$work/pgbench-c$1.err" >&2; die "pgbench -c $1 failed"; }
  echo "$out" > "$work/pgbench-c$1.txt"
  after=$(sql "SELECT count(*) FROM bench.floor")
  tps=$(echo "$out" | awk '/^tps = / {print $3; exit}')
  lat=$(echo "$out" | awk '/^latency average = / {print $4 "ms"}')
  # pgbench's tps leaves out the time its clients took to connect (64 SCRAM
  # logins take a good part of a second here), as hookpipe's pool is
  # connected before wrk starts; the rows it committed are the cross-check.
  [ -n "$tps" ] || die "pgbench -c $1 printed no tps (see $work/pgbench-c$1.txt)"
  res[pgbench,$1]="$tps ${lat:-n/a} n/a"
  echo "pgbench -c $1: tps = $tps, $((after - before)) rows committed in the ${duration}s run" >&2
}

# --- hookpipe under wrk ------------------------------------------------------
# rows NAME DIR: what the store committed so far.
rows() {
  case "$1" in
    sqlite) hp_last_seq "$2" ;;
    postgresql) sql "SELECT count(*) FROM hookpipe.events" 2>/dev/null || echo "" ;;
  esac
}
hp_run() { # name dir conns threads
  local name=$1 dir=$2 conns=$3 threads=$4 before after out ok p50 p99 accepted
  before=$(rows "$name" "$dir")
  wrk_signed "$port" "$conns" "$threads" "$duration" "$work/req-c$conns.txt" "$dir/wrk-c$conns.txt"
  after=$(rows "$name" "$dir")
  out=$(cat "$dir/wrk-c$conns.txt")
  p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  if [ -n "$before" ] && [ -n "$after" ]; then
    accepted=$(echo "($after - $before) / $duration" | bc -l)
  else
    # requests - non-2xx, over wrk's own duration (µs)
    accepted=$(echo "$out" | awk '$1=="BENCH" {printf "%.1f", ($2 - $4) / ($3 / 1e6)}')
    why[$name,count]="accepted/s of hookpipe ($name) is wrk's 2xx count: hookpipe.events could not be read"
  fi
  res[$name,$conns]="$accepted ${p50:-n/a} ${p99:-n/a}"
  local non2xx; non2xx=$(echo "$out" | awk '$1=="BENCH" {print $4}')
  [ "${non2xx:-0}" = 0 ] || echo "hookpipe ($name) c=$conns: $non2xx non-2xx answers (see $dir/daemon.log)" >&2
}

hp_measure() { # name
  local name=$1 dir="$work/$1"
  port=$(free_port)
  if [ "$name" = postgresql ]; then
    HP_STORE_EXTRA=$'backend = "postgresql"\nurl = "env:HOOKPIPE_DATABASE_URL"\npool_size = 8\nconnect_timeout = "5s"' \
      hp_config "$dir" "$port" "" "discard" warning
    export HOOKPIPE_DATABASE_URL="$url"
    if ! "$hookpipe" check --config "$dir/pipeline.conf" > "$dir/check.txt" 2>&1; then
      why[postgresql]="not run: this binary has no PostgreSQL backend (hookpipe check: $(grep -m1 -v '^$' "$dir/check.txt" | cut -c1-160))"
      unset HOOKPIPE_DATABASE_URL
      return 0
    fi
  else
    hp_config "$dir" "$port" "" "discard" warning
  fi
  hp_start "$dir" "$port"
  hp_run "$name" "$dir" 1 1
  hp_run "$name" "$dir" 64 2
  hp_stop
  unset HOOKPIPE_DATABASE_URL
}

pgbench_run 1 1
pgbench_run 64 2
if [ -n "$hookpipe" ]; then
  hp_measure sqlite
  hp_measure postgresql
else
  why[sqlite]="not run: HOOKPIPE_BIN=none"
  why[postgresql]="not run: HOOKPIPE_BIN=none"
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------
field() { local v=${res[$1,$2]:-}; [ -n "$v" ] && echo "$v" | awk -v i="$3" '{print $i}'; }
rate() { local v; v=$(field "$1" "$2" 1); [ -n "$v" ] && printf '%.0f' "$v" || echo "not run"; }
ratio() { # a b c
  local a b; a=$(field "$1" "$3" 1); b=$(field "$2" "$3" 1)
  if [ -n "$a" ] && [ -n "$b" ] && [ "$(echo "$b > 0" | bc)" = 1 ]; then printf '%.2f' "$(echo "$a / $b" | bc -l)"; else echo "n/a"; fi
}
echo "hookpipe PostgreSQL benchmark — $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${duration}s per run"
echo "PostgreSQL $pg_version (scripts/pg-scratch.sh, fsync on, synchronous_commit on, loopback TCP)"
echo "hookpipe: ${hookpipe:-none}; load average at start $load_start, at end $load_end"
echo "disk fsync floor (1 KiB append+fsync): p50 ${floor_p50}us p99 ${floor_p99}us p99.9 ${floor_p999}us"
echo
echo "| c   | pgbench, 1 row/tx | hookpipe SQLite | hookpipe PostgreSQL | PostgreSQL / pgbench | PostgreSQL / SQLite | SQLite / pgbench |"
echo "|-----|------------------:|----------------:|--------------------:|---------------------:|--------------------:|-----------------:|"
for c in 1 64; do
  printf '| %-3s | %17s | %15s | %19s | %20s | %19s | %16s |\n' "$c" "$(rate pgbench $c)" "$(rate sqlite $c)" \
    "$(rate postgresql $c)" "$(ratio postgresql pgbench $c)" "$(ratio postgresql sqlite $c)" "$(ratio sqlite pgbench $c)"
done
echo
echo "Latency: pgbench's average per transaction; hookpipe's p50 / p99 from wrk."
echo
echo "| c   | pgbench avg | SQLite p50 | SQLite p99 | PostgreSQL p50 | PostgreSQL p99 |"
echo "|-----|------------:|-----------:|-----------:|---------------:|---------------:|"
for c in 1 64; do
  printf '| %-3s | %11s | %10s | %10s | %14s | %14s |\n' "$c" "$(field pgbench $c 2 || echo -)" \
    "$(field sqlite $c 2 || echo -)" "$(field sqlite $c 3 || echo -)" "$(field postgresql $c 2 || echo -)" "$(field postgresql $c 3 || echo -)"
done
echo
echo "Acks/s = rows committed per second (each acknowledged only after its commit was fsync'd);"
echo "pgbench = its one-row transactions per second (tps without the clients' connection time)."
echo "The same disk holds both stores; wrk, pgbench and the servers share the same cores."
for key in sqlite postgresql; do
  if [ -n "${why[$key]:-}" ]; then echo "hookpipe ($key): ${why[$key]}"; fi
  if [ -n "${why[$key,count]:-}" ]; then echo "${why[$key,count]}"; fi
done
