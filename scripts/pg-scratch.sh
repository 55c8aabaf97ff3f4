#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, benchmarks and proofs: one cluster per
# directory, listening on 127.0.0.1 at a free port, with a role and database
# `hookpipe` that log in with a random password (SCRAM).
#
#   scripts/pg-scratch.sh start DIR         initdb into DIR and start; prints the URL
#   scripts/pg-scratch.sh stop DIR          stop (fast: sessions are ended, then a checkpoint)
#   scripts/pg-scratch.sh stop-now DIR      stop in immediate mode, like a crash: no
#                                           checkpoint, the next start replays the WAL
#   scripts/pg-scratch.sh start-again DIR   start the cluster in DIR again, on the same port;
#                                           prints the URL
#   scripts/pg-scratch.sh restart DIR       stop (fast), then start-again; prints the URL
#   scripts/pg-scratch.sh psql DIR [ARG…]   psql as the superuser `postgres` over the Unix
#                                           socket; database hookpipe unless ARGs name another
#
# The URL is one line on stdout, and also in DIR/url:
#   postgresql://hookpipe:PASSWORD@127.0.0.1:PORT/hookpipe?sslmode=disable
# Nothing else goes to stdout; progress and errors go to stderr, and the
# server's own log to DIR/server.log.
#
# The cluster: fsync, synchronous_commit and full_page_writes on (durability
# tests rely on them), data checksums, max_prepared_transactions = 0,
# max_connections = 200, idle_in_transaction_session_timeout = 5s for the
# role hookpipe. Logins: over TCP (127.0.0.1 only) every role needs its
# password (scram-sha-256); over the Unix socket, in DIR/sock (mode 0700),
# the superuser `postgres` is trusted and the others need their password.
# Add `host=DIR/sock` to the URL's query to connect over the socket.
#
# For clients in network namespaces (proof/cluster.py), `start` also reads:
#   PG_SCRATCH_LISTEN_ALSO=ADDR[,ADDR…]   more listen addresses besides 127.0.0.1
#   PG_SCRATCH_ALLOW_ALSO=CIDR            password logins (scram-sha-256) from CIDR too
# Unset, nothing changes. The URL still names 127.0.0.1.
#
# Run as root (CI), the server runs as the `postgres` user (`nobody` when
# there is none) through runuser, and DIR belongs to it; parents of DIR under
# /tmp that it cannot enter get o+x. As any other user it runs as that user.
# Binaries: the newest /usr/lib/postgresql/*/bin, or PG_BIN (13 or later);
# the one chosen at start is kept for the other commands. Every wait is
# bounded (pg_ctl -w -t 30). The server outlives this script: stop it.
set -euo pipefail

die() { echo "pg-scratch: $*" >&2; exit 1; }
note() { echo "pg-scratch: $*" >&2; }

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
command=$1
dir=$(realpath -m -- "$2")
shift 2

data="$dir/data"
log="$dir/server.log"

# --- who runs the server, and how -----------------------------------------
# The cluster's owner: root hands it to `postgres` (or `nobody`); anyone else
# keeps it. For an existing cluster, whoever owns DIR/data.
server_user() {
  if [ -d "$data" ]; then stat -c %U "$data"; return; fi
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
  else
    id -un
  fi
}

# Runs a command as the server's user, from inside DIR (a user that cannot
# enter the caller's working directory gets a warning from every tool).
as_server() {
  local user; user=$(server_user)
  if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then
    (cd "$dir" && runuser -u "$user" -- "$@")
  elif [ "$user" = "$(id -un)" ]; then
    (cd "$dir" && "$@")
  else
    die "$data belongs to $user; run this as $user or as root"
  fi
}

pick_pg_bin() {
  local bin=${PG_BIN:-}
  if [ -z "$bin" ]; then
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  [ -n "$bin" ] && [ -x "$bin/postgres" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] \
    || die "no PostgreSQL server found: apt-get install -y postgresql (or set PG_BIN)"
  local major
  major=$("$bin/postgres" --version | grep -o '[0-9][0-9]*' | head -n 1)
  [ "$major" -ge 13 ] || die "PostgreSQL $major at $bin is too old (13 or later: xid8, pg_snapshot_xmin)"
  echo "$bin"
}

# What `start` recorded in DIR.
load_state() {
  [ ! -e "$dir" ] || [ -r "$dir" ] || die "cannot read $dir (it belongs to $(stat -c %U "$dir"))"
  [ -f "$data/PG_VERSION" ] || die "no cluster in $dir (run: $0 start $dir)"
  for f in pg_bin port socket_dir url; do
    [ -f "$dir/$f" ] || die "$dir/$f is missing: $dir was not made by $0 start"
  done
  pg_bin=$(cat "$dir/pg_bin"); port=$(cat "$dir/port")
  socket_dir=$(cat "$dir/socket_dir"); url=$(cat "$dir/url")
  [ -x "$pg_bin/pg_ctl" ] || die "$pg_bin (recorded in $dir/pg_bin) has no pg_ctl any more"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

running() { as_server "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# The socket directory must exist (it lives outside DIR when DIR's path is too
# long for a socket address) and belong to the server's user.
make_socket_dir() {
  mkdir -p "$socket_dir"
  chmod 0700 "$socket_dir"
  [ "$(id -u)" = 0 ] && chown "$(server_user)" "$socket_dir"
  return 0
}

# pg_ctl start, bounded; on failure the server's log says why.
pg_start() {
  local from
  from=$(( $(stat -c %s "$log" 2>/dev/null || echo 0) + 1 ))
  if as_server "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 30 start >/dev/null 2>>"$dir/pg_ctl.log"; then
    return 0
  fi
  # A server that did not come up within the bound may still be starting.
  as_server "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  tail -c "+$from" "$log" > "$dir/last-start.log" 2>/dev/null || true
  return 1
}

# --- commands ---------------------------------------------------------------
cmd_start() {
  [ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] \
    || die "$dir is not empty (start-again starts an existing cluster)"
  pg_bin=$(pick_pg_bin)
  local user; user=$(server_user)
  mkdir -p "$(dirname "$dir")"
  if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then reachable "$user" "$(dirname "$dir")"; fi
  mkdir -p "$dir"
  chmod 0700 "$dir"
  if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then chown "$user" "$dir"; fi
  # A socket address holds 107 bytes: DIR/sock/.s.PGSQL.PORT must fit.
  socket_dir="$dir/sock"
  if [ $(( ${#socket_dir} + 17 )) -gt 100 ]; then
    socket_dir=$(mktemp -d "${TMPDIR:-/tmp}/hp-pgsock.XXXXXX")
    note "$dir is too long a path for a Unix socket; the socket directory is $socket_dir"
  fi
  make_socket_dir
  echo "$pg_bin" > "$dir/pg_bin"
  echo "$socket_dir" > "$dir/socket_dir"

  # The superuser has no password: it logs in over the socket only (trust).
  as_server timeout -k 5 120 "$pg_bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --auth=trust --data-checksums \
    >"$dir/initdb.log" 2>&1 || { tail -20 "$dir/initdb.log" >&2; die "initdb failed (log: $dir/initdb.log)"; }

  as_server tee "$data/pg_hba.conf" >/dev/null <<'HBA'
# pg-scratch.sh: the superuser over the socket only; everyone else with a password.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 trust
local   all       all                      scram-sha-256
host    all       all       127.0.0.1/32   scram-sha-256
HBA
  if [ -n "${PG_SCRATCH_ALLOW_ALSO:-}" ]; then
    printf 'host    all       all       %s   scram-sha-256\n' "$PG_SCRATCH_ALLOW_ALSO" \
      | as_server tee -a "$data/pg_hba.conf" >/dev/null
  fi
  as_server tee -a "$data/postgresql.conf" >/dev/null <<'CONF'

# pg-scratch.sh (rewritten with the port at each start attempt)
include 'scratch.conf'
CONF

  # A port is free when we look and may be taken before the server binds it:
  # then pick another one.
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    as_server tee "$data/scratch.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1${PG_SCRATCH_LISTEN_ALSO:+, $PG_SCRATCH_LISTEN_ALSO}'
port = $port
unix_socket_directories = '$socket_dir'
unix_socket_permissions = 0700
max_connections = 200
fsync = on
synchronous_commit = on
full_page_writes = on
max_prepared_transactions = 0
password_encryption = 'scram-sha-256'
log_line_prefix = '%m [%p] %q%u@%d '
CONF
    if pg_start; then break; fi
    if grep -q -e 'could not bind' -e 'Address already in use' "$dir/last-start.log" 2>/dev/null && [ "$attempt" -lt 5 ]; then
      note "port $port was taken before the server bound it; trying another"
      continue
    fi
    tail -20 "$dir/last-start.log" >&2 || true
    die "the server did not start (log: $log)"
  done
  echo "$port" > "$dir/port"

  local password
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  url="postgresql://hookpipe:$password@127.0.0.1:$port/hookpipe?sslmode=disable"
  if ! timeout -k 5 30 "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -U postgres -d postgres \
      >"$dir/setup.log" 2>&1 <<SQL; then
CREATE ROLE hookpipe LOGIN PASSWORD '$password';
ALTER ROLE hookpipe SET idle_in_transaction_session_timeout = '5s';
CREATE DATABASE hookpipe OWNER hookpipe;
SQL
    cat "$dir/setup.log" >&2
    as_server "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    die "creating the role and database failed"
  fi
  (umask 077 && echo "$url" > "$dir/url")
  # The URL works: a password login over TCP, as the daemon will log in.
  if ! PGCONNECT_TIMEOUT=10 timeout -k 5 30 "$pg_bin/psql" -X -At "$url" -c 'SELECT 1' >/dev/null 2>>"$dir/setup.log"; then
    cat "$dir/setup.log" >&2
    as_server "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    die "the hookpipe role cannot log in over TCP with its password"
  fi
  echo "$url"
}

# Root makes DIR for another user: every directory down to DIR's parent must
# let that user through. Those under /tmp (or TMPDIR) get search permission
# for others; any other is the caller's to fix.
reachable() { # user parent
  local user=$1 parent=$2 path="" part tmp
  runuser -u "$user" -- test -x "$parent" 2>/dev/null && return 0
  tmp=$(realpath -m -- "${TMPDIR:-/tmp}")
  local IFS=/
  for part in ${parent#/}; do
    path="$path/$part"
    runuser -u "$user" -- test -x "$path" 2>/dev/null && continue
    case "$path/" in
      /tmp/?*/|"$tmp"/?*/)
        chmod o+x "$path"
        note "gave others search permission on $path (the server runs as $user)" ;;
      *) die "$user cannot enter $path, so the server cannot reach $dir: use a directory under /tmp" ;;
    esac
  done
}

cmd_stop() { # fast|immediate
  load_state
  if [ ! -f "$data/postmaster.pid" ]; then
    note "not running ($dir)"
  elif ! as_server "$pg_bin/pg_ctl" -D "$data" -m "$1" -w -t 30 stop >/dev/null 2>>"$dir/pg_ctl.log"; then
    note "a $1 stop did not finish within 30 s; stopping in immediate mode"
    as_server "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>>"$dir/pg_ctl.log" || {
      local pid; pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
      die "the server did not stop; sent SIGKILL to its postmaster ${pid:-(no pid)}"
    }
  fi
  # A socket directory outside DIR is made again at the next start.
  case "$socket_dir" in
    "$dir"/*) ;;
    *) rmdir "$socket_dir" 2>/dev/null || true ;;
  esac
}

cmd_start_again() {
  load_state
  if running; then die "already running ($dir)"; fi
  make_socket_dir
  if ! pg_start; then
    tail -20 "$dir/last-start.log" >&2 || true
    if grep -q -e 'could not bind' -e 'Address already in use' "$dir/last-start.log" 2>/dev/null; then
      die "port $port, which the URL names, is taken by another process"
    fi
    die "the server did not start (log: $log)"
  fi
  echo "$url"
}

cmd_psql() {
  load_state
  PGHOST=$socket_dir PGPORT=$port PGUSER=postgres PGDATABASE=hookpipe PGCONNECT_TIMEOUT=10 \
    exec "$pg_bin/psql" -X "$@"
}

case "$command" in
  start) cmd_start ;;
  stop) cmd_stop fast ;;
  stop-now) cmd_stop immediate ;;
  start-again) cmd_start_again ;;
  restart) cmd_stop fast; cmd_start_again ;;
  psql) cmd_psql "$@" ;;
  *) usage ;;
esac
