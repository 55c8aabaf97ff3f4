#!/usr/bin/env bash
# Several nodes on one PostgreSQL (issue 25, "Figures"): three hookpipe
# nodes' combined durable acks/s next to one node's, in the same run, on
# one scratch server (scripts/pg-scratch.sh: fsync on, synchronous_commit
# on, loopback TCP, SCRAM password), and next to one node with the embedded
# SQLite store.
#
# The load is the same in every phase: three wrk processes (bench/signed.lua,
# one thread each, 22 + 21 + 21 = 64 connections), each with its own file of
# uniquely signed 1 KiB Stripe events (bench/make_requests.py). "1 node": all
# three aim at that node. "3 nodes": one wrk per node, on loopback ports.
# Each phase has a fresh store (its own database on the one server, or its
# own SQLite file), so the files are reused. Phases, in this order:
#   pg-1      one node, [store] backend = "postgresql"
#   pg-3      three nodes on one database; one of them holds the chain lease
#             and numbers the events (the sequencer), all three receive
#   pg-1b     one node again, to bracket pg-3 (the machine drifts)
#   sqlite-1  one node, embedded SQLite (skip with SQLITE=0)
# Each node: pool_size = 8, lease_ttl 10 s (the default), no stages (output
# discard), threads = one per core. Acks/s = rows the store committed during
# the run (hookpipe.events, or SQLite's new seqs) over the run's seconds; every
# 200 was sent only after its commit. Ratios are against pg-1 of this run.
# On two cores, three nodes share the cores one node had: the figure shows the
# cost of coordination (lease, sequencer, more connections and processes), not
# scaling. Not a test: figures only.
#   bench/cluster.sh [seconds-per-phase]   (default 10)
#   HOOKPIPE_BIN=path bench/cluster.sh     (a release build; without it one is built here)
#   KEEP_WORK=1 bench/cluster.sh           (keep the work directory: logs, wrk outputs)
# Bounded: wrk runs for the given seconds; each node gets 60 s to stop after
# SIGTERM, then SIGKILL; the server and every process stop on any exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"
duration="${1:-10}"
need wrk wrk; need sqlite3 sqlite3; need bc bc
hookpipe=$(hookpipe_binary)
bench_init cluster
pg="$work/pg"
pg_stop() { [ -f "$pg/url" ] && scripts/pg-scratch.sh stop "$pg" || true; }
# The server first: bench_cleanup would SIGTERM the postmaster (its command
# line names $work) and then SIGKILL it after 5 s.
trap 'pg_stop; bench_cleanup' EXIT

conns=(22 21 21)
url=$(scripts/pg-scratch.sh start "$pg") || die "the scratch PostgreSQL did not start"
pg_version=$(scripts/pg-scratch.sh psql "$pg" -Atq -c 'SHOW server_version')
sql() { # database statement
  scripts/pg-scratch.sh psql "$pg" -d "$1" -Atq -v ON_ERROR_STOP=1 -c "$2"
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%MZ)

# One file per wrk, more than it can send (8,000 requests/s each).
for k in 0 1 2; do
  python3 bench/make_requests.py $((8000 * duration)) "$hp_secret" "$work/req-$k.txt" --raw /hooks/stripe --prefix "cluster_w$k" &
  bench_track $!
done
wait
for k in 0 1 2; do [ -s "$work/req-$k.txt" ] || die "make_requests.py wrote no $work/req-$k.txt"; done

# res[phase] = "acks/s 2xx/s p50max p99max non2xx"
declare -A res note

# A fresh database for a phase, owned by the hookpipe role; prints its URL.
fresh_database() { # name
  sql postgres "CREATE DATABASE $1 OWNER hookpipe" >/dev/null
  echo "${url/\/hookpipe\?//$1?}"
}

# Waits (at most 20 s) until some node holds a live chain lease.
wait_lease() { # database
  local i
  for ((i = 0; i < 400; i++)); do
    [ "$(sql "$1" "SELECT count(*) FROM hookpipe.chain_lease WHERE holder IS NOT NULL AND expires_at > now()" 2>/dev/null || echo 0)" = 1 ] && return 0
    sleep 0.05
  done
  return 1
}

rows() { # phase
  case "$1" in
    sqlite-1) hp_last_seq "$work/sqlite-1/n1" ;;
    *) sql "${1//-/_}" "SELECT count(*) FROM hookpipe.events" ;;
  esac
}

# One phase: start NODES nodes, aim the three wrk at them, count rows.
phase() { # name nodes
  local name=$1 nodes=$2 db="" dburl="" i pids=() ports=() before after k wpids=()
  if [ "$name" != sqlite-1 ]; then
    db="${name//-/_}"; dburl=$(fresh_database "$db")
  fi
  for ((i = 1; i <= nodes; i++)); do
    local dir="$work/$name/n$i" port
    port=$(free_port)
    if [ -n "$db" ]; then
      HP_STORE_EXTRA=$'backend = "postgresql"\nurl = "env:HOOKPIPE_DATABASE_URL"\npool_size = 8\nconnect_timeout = "5s"' \
        hp_config "$dir" "$port" "" "discard" warning
      HOOKPIPE_DATABASE_URL="$dburl" hp_start "$dir" "$port"
    else
      hp_config "$dir" "$port" "" "discard" warning
      hp_start "$dir" "$port"
    fi
    pids+=("$hp_pid"); ports+=("$port")
  done
  if [ -n "$db" ]; then wait_lease "$db" || die "$name: no node took the chain lease within 20 s"; fi
  before=$(rows "$name")
  for k in 0 1 2; do
    wrk_signed "${ports[$((k % nodes))]}" "${conns[$k]}" 1 "$duration" "$work/req-$k.txt" "$work/$name/wrk-$k.txt" &
    wpids+=($!); bench_track $!
  done
  for k in 0 1 2; do wait "${wpids[$k]}" || die "$name: wrk $k failed (see $work/$name/wrk-$k.txt)"; done
  after=$(rows "$name")
  local ok=0 non2xx=0 p50=0 p99=0 line
  for k in 0 1 2; do
    line=$(awk '$1=="BENCH"' "$work/$name/wrk-$k.txt")
    [ -n "$line" ] || die "$name: wrk $k printed no BENCH line"
    read -r _ reqs us bad sock tmo l50 l99 _ <<< "$line"
    ok=$(echo "$ok + ($reqs - $bad) / ($us / 1000000)" | bc -l)
    non2xx=$((non2xx + bad + sock + tmo))
    if [ "${l50%.*}" -gt "$p50" ]; then p50=${l50%.*}; fi
    if [ "${l99%.*}" -gt "$p99" ]; then p99=${l99%.*}; fi
  done
  res[$name]="$(echo "($after - $before) / $duration" | bc -l) $ok $p50 $p99 $non2xx"
  if [ -n "$db" ]; then
    # One query, so that both numbers are of one moment (requests in flight
    # when wrk stopped may still commit).
    note[$name]=$(sql "$db" "SELECT 'lease at the end: epoch ' || epoch || ', ' || last_seq || ' of ' ||
      (SELECT count(*) FROM hookpipe.events) || ' events sequenced' FROM hookpipe.chain_lease")
  fi
  for i in "${pids[@]}"; do bench_kill "$i" 60; done
  echo "$name: ${res[$name]} ${note[$name]:-}" >&2
}

phase pg-1 1
phase pg-3 3
phase pg-1b 1
[ "${SQLITE:-1}" = 0 ] || phase sqlite-1 1
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------
field() { local v=${res[$1]:-}; [ -n "$v" ] && echo "$v" | awk -v i="$2" '{print $i}'; }
rate() { local v; v=$(field "$1" 1); [ -n "$v" ] && printf '%.0f' "$v" || echo "not run"; }
ratio() { # a b
  local a b; a=$(field "$1" 1); b=$(field "$2" 1)
  if [ -n "$a" ] && [ -n "$b" ] && [ "$(echo "$b > 0" | bc)" = 1 ]; then printf '%.2f' "$(echo "$a / $b" | bc -l)"; else echo "n/a"; fi
}
ms() { local v; v=$(field "$1" "$2"); [ -n "$v" ] && printf '%.1f ms' "$(echo "$v / 1000" | bc -l)" || echo "-"; }
label() {
  case "$1" in
    pg-1) echo "PostgreSQL, 1 node" ;;
    pg-3) echo "PostgreSQL, 3 nodes (combined)" ;;
    pg-1b) echo "PostgreSQL, 1 node again" ;;
    sqlite-1) echo "embedded SQLite, 1 node" ;;
  esac
}
echo "hookpipe on several nodes — $(nproc) cores, $started, ${duration}s per phase, c=64 in all (3 wrk: 22+21+21)"
echo "PostgreSQL $pg_version (scripts/pg-scratch.sh, fsync on, synchronous_commit on, loopback TCP); pool_size 8 per node"
echo "hookpipe: $hookpipe; load average at start $load_start, at end $load_end"
echo
echo "| phase | durable acks/s | ÷ 1 node (pg-1) | wrk 2xx/s | worst p50 | worst p99 | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for p in pg-1 pg-3 pg-1b sqlite-1; do
  [ -n "${res[$p]:-}" ] || continue
  printf '| %s | %s | %s | %.0f | %s | %s | %s |\n' "$(label $p)" "$(rate $p)" "$(ratio $p pg-1)" \
    "$(field $p 2)" "$(ms $p 3)" "$(ms $p 4)" "$(field $p 5)"
done
echo
echo "Acks/s: rows the store committed during the phase ÷ its seconds (each 200 was sent after its commit)."
echo "wrk 2xx/s: the three wrk's answers below 400 over their own durations (a cross-check)."
echo "Worst p50 / p99: the highest of the three wrk's. Errors: non-2xx, socket errors and timeouts."
for p in pg-1 pg-3 pg-1b; do
  if [ -n "${note[$p]:-}" ]; then echo "$(label $p): ${note[$p]}"; fi
done
