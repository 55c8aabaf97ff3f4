# Shared by bench/*.sh (sourced, not run): tools, the hookpipe binary,
# free ports, hookpipe configs, and processes that are always stopped.
#
#   source "$(dirname "$0")/lib.sh"; bench_init NAME
#
# bench_init makes a work directory under ${TMPDIR:-/tmp} and sets a trap
# that stops every process registered with bench_track (SIGTERM, then
# SIGKILL after 5 s) and removes the directory (kept with KEEP_WORK=1).

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_pids=()
work=""

bench_init() { # name
  work="$(mktemp -d "${TMPDIR:-/tmp}/hookpipe-$1.XXXXXX")"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_track() { bench_pids+=("$1"); }

# Stops one process we started: SIGTERM, wait up to $2 seconds (default 5), SIGKILL.
bench_kill() { # pid [seconds]
  local pid=$1 limit=$(( ${2:-5} * 20 )) i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do bench_kill "$pid" 5; done
  bench_pids=()
  # Started inside a $(…) whose tracking was lost when it failed: every
  # process we start names the work directory on its command line.
  if [ -n "$work" ]; then
    for pid in $(pgrep -f -- "$work" || true); do bench_kill "$pid" 5; done
  fi
  if [ -n "$work" ] && [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$work"; fi
}

die() { echo "bench: $*" >&2; exit 1; }

# Installs a Debian package when its command is missing.
need() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing $2 (for $1)" >&2
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null \
    || die "cannot install $2: install it and rerun"
  command -v "$1" >/dev/null 2>&1 || die "$2 installed but $1 is still missing"
}

# The release binary: $HOOKPIPE_BIN if set, else built here (swift build -c release).
hookpipe_binary() {
  if [ -n "${HOOKPIPE_BIN:-}" ]; then
    [ -x "$HOOKPIPE_BIN" ] || die "HOOKPIPE_BIN=$HOOKPIPE_BIN is not an executable"
    echo "$HOOKPIPE_BIN"; return
  fi
  command -v swift >/dev/null || die "swift is not installed (or set HOOKPIPE_BIN to a release build)"
  (cd "$bench_root" && scripts/install-deps.sh >&2 && swift build -c release --product hookpipe >&2) || die "release build failed"
  echo "$(cd "$bench_root" && swift build -c release --show-bin-path)/hookpipe"
}

# bench/nio-floor (SwiftNIO's HTTP server alone), release build: beside
# $HOOKPIPE_BIN when that is set, else built here; empty when neither works.
nio_floor_binary() {
  if [ -n "${HOOKPIPE_BIN:-}" ]; then
    [ -x "$(dirname "$HOOKPIPE_BIN")/nio-floor" ] && echo "$(dirname "$HOOKPIPE_BIN")/nio-floor"
    return 0
  fi
  (cd "$bench_root" && swift build -c release --product nio-floor >&2) || return 0
  echo "$(cd "$bench_root" && swift build -c release --show-bin-path)/nio-floor"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until 127.0.0.1:PORT accepts a connection (at most 10 s), or fails.
wait_port() { # port [pid]
  local i
  for ((i = 0; i < 200; i++)); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
    sleep 0.05
  done
  return 1
}

# --- hookpipe -----------------------------------------------------------
# A stripe source with the secret in $work/stripe.secret; STAGES is TOML for
# [[stage]] tables (see hp_stage), OUTPUT the [chain] output. HP_STORE_EXTRA,
# if set, is more [store] lines (bench/pg.sh: backend = "postgresql", url…).
hp_secret="whsec_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

hp_config() { # dir port stages-toml output [log-level] [extra [chain] lines]
  mkdir -p "$1"
  printf '%s' "$hp_secret" > "$1/stripe.secret"
  cat > "$1/pipeline.conf" <<CONF
[server]
host = "127.0.0.1"
port = $2
max_connections = 4096
threads = ${THREADS:-0}
[log]
level = "${5:-warning}"
[store]
state_directory = "state"
${HP_STORE_EXTRA:-}
[admin]
enabled = $([ "${ADMIN:-0}" = 1 ] && echo true || echo false)
port = ${ADMIN_PORT:-0}
[chain]
output = "$4"
max_in_flight = 4096
${6:-}
[[source]]
name = "stripe"
path = "/hooks/stripe"
scheme = "stripe"
secrets = ["file:stripe.secret"]
$3
CONF
}

hp_stage() { printf '[[stage]]\nname = "%s"\ncommand = %s\n' "$1" "$2"; }

# Starts `hookpipe run` on DIR/pipeline.conf; sets hp_pid; waits for the port.
# LAUNCHER words, if any, come first (`perf record … --`): hp_pid is then the
# launcher's, which must pass SIGTERM on, as perf does.
hp_pid=""
hp_start() { # dir port [launcher...]
  "${@:3}" "$hookpipe" run --config "$1/pipeline.conf" 2>> "$1/daemon.log" &
  hp_pid=$!
  bench_track "$hp_pid"
  wait_port "$2" "$hp_pid" || { tail -20 "$1/daemon.log" >&2; die "hookpipe did not start"; }
}

# SIGTERM and wait (the chain drains); SIGKILL after 60 s.
hp_stop() { bench_kill "$hp_pid" 60; hp_pid=""; }

hp_sql() { sqlite3 "$1/state/hookpipe.sqlite" "$2"; }
hp_checkpoint() { hp_sql "$1" "SELECT COALESCE((SELECT seq FROM checkpoints WHERE consumer='chain'),0)"; }
hp_last_seq() { hp_sql "$1" "SELECT COALESCE(MAX(seq),0) FROM events"; }

# Waits (at most $3 seconds) until the chain's checkpoint reaches SEQ.
hp_wait_checkpoint() { # dir seq seconds
  local deadline=$(( $(date +%s) + $3 ))
  while [ "$(hp_checkpoint "$1")" -lt "$2" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# --- the plain C references and CPU accounting -----------------------------
# bench/ackserver.c, built into OUT (jansson, SQLite and zlib from the build
# dependencies); returns non-zero when it does not compile.
ack_build() { # out
  cc -O2 -Wall -o "$1" "$bench_root/bench/ackserver.c" -pthread -ljansson -lsqlite3 -lz
}

# The highest sequence number a reference stored in DIR: its SQLite store,
# or with "log" its append-only log, whose last 8 bytes are that number
# (bench/acklog.h).
ack_last_seq() { # dir sqlite|log
  if [ "$2" = log ]; then
    python3 -c 'import os, struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(0, os.SEEK_END)
    if f.tell() < 8: print(0)
    else: f.seek(-8, os.SEEK_END); print(struct.unpack("<q", f.read(8))[0])' "$1/ackserver.log"
  else
    sqlite3 "$1/ackserver.sqlite" "SELECT COALESCE(MAX(seq),0) FROM events"
  fi
}

# CPU (user + system) of a process and its children so far, in clock ticks
# (getconf CLK_TCK per second).
tree_ticks() { # pid
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

# --- wrk ----------------------------------------------------------------
# Runs wrk with signed.lua; its output goes to OUT.
# REQUESTS is make_requests.py --raw output: the path and header are in it.
wrk_signed() { # port conns threads seconds requests-file out
  wrk -t"$3" -c"$2" -d"$4s" --latency -s "$bench_root/bench/signed.lua" "http://127.0.0.1:$1" -- "$5" "$3" > "$6"
}

# --- chain --------------------------------------------------------------
# events/s through STAGES from a backlog in DIR's store: the checkpoint is
# reset, the daemon started, and the time until the checkpoint reaches COUNT
# measured (from before the start; checkpoints land every 200 ms, so short
# runs are slightly understated). PROFILE=LABEL records a perf profile.
chain_measure() { # dir port count label stages-toml
  hp_sql "$1" "DELETE FROM checkpoints"
  hp_config "$1" "$2" "$5" "discard"
  local t0 t1 profiling=""
  [ "${PROFILE:-}" = "$4" ] && profiling=yes
  t0=$(date +%s.%N)
  if [ -n "$profiling" ]; then
    # Started under perf (stages are its children, so they are sampled too):
    # attaching with `perf record -p` recorded almost nothing on these VMs.
    need perf linux-perf
    hp_start "$1" "$2" perf record -e cpu-clock -F 999 -g -o "$1/perf.data" --
  else
    hp_start "$1" "$2"
  fi
  # Every event but the last: a stage settles an event when a later event's
  # line passes it, so the last one waits for the drain that follows ten
  # times flush_after of quiet (docs/CHAIN.md, "Settlement and checkpoints") —
  # settlement latency, not throughput.
  hp_wait_checkpoint "$1" "$(($3 - 1))" 600 || die "chain '$4' did not finish $3 events within 600 s"
  t1=$(date +%s.%N)
  hp_stop  # perf passes SIGTERM on to the daemon, then writes perf.data
  if [ -n "$profiling" ]; then
    perf report -i "$1/perf.data" --no-children -g none --sort comm,dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -60 > "${PROFILE_OUT:-/tmp/hookpipe-chain.perf.txt}" || true
  fi
  echo "scale=0; $3 / ($t1 - $t0)" | bc
}

# events/s of the same programs as a plain shell pipeline over FILE.
chain_ceiling() { # file count pipeline
  local t0 t1
  t0=$(date +%s.%N); bash -c "$3" < "$1" > /dev/null; t1=$(date +%s.%N)
  echo "scale=0; $2 / ($t1 - $t0)" | bc
}

# The Python pass-through stage used by the chain benchmarks.
chain_passthrough_py() { # path
  printf '%s\n' 'import sys' 'for line in sys.stdin:' '    sys.stdout.write(line)' '    sys.stdout.flush()' > "$1"
}
