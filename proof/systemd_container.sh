#!/usr/bin/env bash
# Installs a hookpipe .deb into a Debian bookworm root booted with systemd
# (systemd-nspawn) and follows the README's "Run it under systemd" there:
# dpkg -i, apt-get install -f, secrets in /etc/hookpipe/credentials,
# systemctl enable --now hookpipe, then checks what a sysadmin would: READY
# before "Started", status and /readyz, delivery through the plugins, reload,
# journal priorities, the watchdog (SIGSTOP the daemon: systemd kills and
# restarts it), stop, socket activation (the daemon adopts systemd's
# listeners; no connection refused across a restart), remove and purge.
#   proof/systemd_container.sh path/to/hookpipe_<version>_<arch>.deb
# Needs root, debootstrap, systemd-nspawn (systemd-container) and nsenter,
# and Debian's mirror (as the host's apt uses it) for debootstrap and the
# package's dependencies; the booted container itself has no network
# (--private-network): the dependencies are downloaded into its apt cache
# beforehand, so `apt-get install -f` inside works offline.
# Environment:
#   HOOKPIPE_MIRROR=http://deb.debian.org/debian   the mirror
#   HOOKPIPE_DEBOOTSTRAP_CACHE=DIR   debootstrap --cache-dir (reuse downloads between runs)
#   HOOKPIPE_ROOT_TEMPLATE=DIR       copy this debootstrapped root instead of running debootstrap
#   HOOKPIPE_NSPAWN_BIND_RO=DIR      also bind DIR read-only (e.g. /opt/swift for a debug build's runtime)
#   HOOKPIPE_KEEP_ROOT=1             keep the root (its path is printed) instead of deleting it
# Prints "ok: …"/"FAIL: …" per check with the seconds since start; exit 1 on any failure.
#
# The suite runs it (Tests/HookpipeCLITests/SystemdContainerTests.swift, in
# the plain suite only, as root; so .ci/run runs it through scripts/test.sh),
# with a package of the DEBUG binary the suite built (HOOKPIPE_BIN=…
# HOOKPIPE_ALLOW_FOREIGN_LIBS=1) and the Swift toolchain bound read-only
# (HOOKPIPE_NSPAWN_BIND_RO=/opt/swift): CI cannot afford the release build.
# What that leaves unproved for the release package:
#   - its Depends: the debug binary loads the Swift runtime from /opt/swift,
#     so dpkg-shlibdeps sees other libraries (the release links Swift
#     statically and Depends on libcurl4 for FoundationNetworking; the debug
#     package does not, and the container has libcurl4 through curl anyway);
#     and with /opt/swift visible a library missing from Debian goes unseen;
#   - the release binary itself (optimised, stripped, statically linked):
#     the checks run the same code, unoptimised;
#   - timings: the debug daemon is slower, and it survives the watchdog's
#     SIGABRT: Swift's runtime, loaded from /opt/swift, catches it, prints a
#     backtrace and returns, so only SIGKILL TimeoutAbortSec= later ends it;
#     a statically linked release binary should die of it at once (a small
#     program built both ways: the dynamic one ran on, the static one died
#     in 6 ms), so its restart can only be quicker than the one measured here.
# Run it by hand on a release package (scripts/package-deb.sh, ~25 min to
# build) before a release.
set -uo pipefail
deb=$(readlink -f "${1:?usage: $0 DEB}")
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
for tool in debootstrap systemd-nspawn nsenter; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install debootstrap systemd-container util-linux" >&2; exit 2; }
done
mirror=${HOOKPIPE_MIRROR:-http://deb.debian.org/debian}
start=$SECONDS
failures=0
say() { echo "[$((SECONDS - start)) s] $*"; }
ok() { say "ok: $*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }

work=$(mktemp -d /tmp/hookpipe-nspawn.XXXXXX)
root=$work/root
nspawn=""
cleanup() {
  if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
    kill -TERM "$nspawn"    # nspawn asks the container's systemd to power off
    for _ in $(seq 1 100); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$nspawn" 2>/dev/null; then kill -KILL "$nspawn"; say "the container did not power off in 20 s: killed"; fi
    wait "$nspawn" 2>/dev/null
    say "container stopped"
  fi
  if [ "${HOOKPIPE_KEEP_ROOT:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; say "root deleted"; fi
}
trap cleanup EXIT
# The long steps before the boot run through `long`: in the background,
# waited for, so that a SIGTERM (the suite's timeout) reaches the trap below
# at once instead of after the step, and the trap can end the step (its
# timeout(1) passes the signal on to its own process group).
# The trap runs inside the step's redirection (to its log): fds 3 and 4
# keep the script's own stdout and stderr.
exec 3>&1 4>&2
step=""
long() { "$@" & step=$!; wait "$step"; local status=$?; step=""; return "$status"; }
interrupted() {
  exec 1>&3 2>&4
  say "interrupted (SIGTERM or SIGINT)"
  if [ -n "$step" ]; then kill -TERM "$step" 2>/dev/null; wait "$step" 2>/dev/null; fi
  exit 124    # cleanup (the EXIT trap) powers the container off and deletes the root
}
trap interrupted TERM INT

# 1. The root: Debian bookworm with systemd (curl for the checks below).
if [ -n "${HOOKPIPE_ROOT_TEMPLATE:-}" ]; then
  cp -a "$HOOKPIPE_ROOT_TEMPLATE" "$root" || { echo "cannot copy $HOOKPIPE_ROOT_TEMPLATE" >&2; exit 1; }
  say "root copied from $HOOKPIPE_ROOT_TEMPLATE"
else
  cache=()
  [ -n "${HOOKPIPE_DEBOOTSTRAP_CACHE:-}" ] && mkdir -p "$HOOKPIPE_DEBOOTSTRAP_CACHE" && cache=(--cache-dir="$HOOKPIPE_DEBOOTSTRAP_CACHE")
  if ! long timeout 1800 debootstrap --variant=minbase "${cache[@]}" --include=systemd,systemd-sysv,dbus,curl,ca-certificates \
      bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -20 "$work/debootstrap.log"; echo "debootstrap failed" >&2; exit 1
  fi
  say "debootstrap done"
fi

# 2. The package and its dependencies, downloaded (not installed) while the
#    root still shares the host's network.
install -m 0644 "$deb" "$root/root/hookpipe.deb"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if ! long timeout 900 chroot "$root" sh -c 'apt-get update -qq && apt-get install --download-only -y -qq /root/hookpipe.deb' > "$work/download.log" 2>&1; then
  tail -20 "$work/download.log"; echo "downloading the dependencies failed" >&2; exit 1
fi
say "dependencies downloaded: $(ls "$root/var/cache/apt/archives/"*.deb 2>/dev/null | wc -l) packages"

# 3. Boot it.
bind=()
[ -n "${HOOKPIPE_NSPAWN_BIND_RO:-}" ] && bind=(--bind-ro="$HOOKPIPE_NSPAWN_BIND_RO")
systemd-nspawn -D "$root" --boot --console=pipe --register=no --keep-unit --private-network "${bind[@]}" \
  > "$work/console.log" 2>&1 < /dev/null &
nspawn=$!
pid1=""
for _ in $(seq 1 150); do
  for child in $(pgrep -P "$nspawn"); do
    [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && pid1=$child
  done
  [ -n "$pid1" ] && break
  sleep 0.2
done
[ -n "$pid1" ] || { cat "$work/console.log"; echo "the container's systemd did not start" >&2; exit 1; }
# Runs a command inside the container (all its namespaces), bounded.
inside() { local limit=$1; shift; timeout "$limit" nsenter -t "$pid1" -a -- "$@"; }
# systemctl answers once the manager's private socket exists; --wait then waits for boot to finish.
state=""
for _ in $(seq 1 100); do
  state=$(inside 60 systemctl is-system-running --wait 2>&1) && break
  case "$state" in degraded|maintenance) break ;; esac
  sleep 0.2
done
say "booted: systemd PID $pid1 on the host, system state: $state"

# 4. Install as the README says.
if inside 120 dpkg -i /root/hookpipe.deb > "$work/dpkg.log" 2>&1; then
  ok "dpkg -i installed it (dependencies were already there)"
else
  say "dpkg -i: $(grep -o 'depends on [^;]*' "$work/dpkg.log" | head -5 | tr '\n' ' ')"
  if inside 300 env DEBIAN_FRONTEND=noninteractive apt-get install -f -y --no-download > "$work/apt.log" 2>&1; then
    ok "apt-get install -f (offline) pulled in: $(grep -Eo '^Setting up [^ ]+' "$work/apt.log" | cut -d' ' -f3 | tr '\n' ' ')"
  else
    fail "apt-get install -f: $(tail -5 "$work/apt.log")"
  fi
fi
status=$(inside 10 dpkg-query -W -f='${Status} ${Version}' hookpipe 2>&1)
[ "${status% *}" = "install ok installed" ] && ok "dpkg: hookpipe $status" || fail "dpkg-query: $status"
user=$(inside 10 getent passwd hookpipe)
[ -n "$user" ] && ok "user created by postinst: $user" || fail "no hookpipe user"
enabled=$(inside 10 systemctl is-enabled hookpipe.service 2>&1); active=$(inside 10 systemctl is-active hookpipe.service 2>&1)
[ "$enabled" = disabled ] && [ "$active" = inactive ] && ok "installing started nothing: $enabled, $active" \
  || fail "after install hookpipe.service is $enabled, $active"
conffiles=$(inside 10 dpkg-query -W -f='${Conffiles}' hookpipe | awk 'NF {print $1}')
[ "$conffiles" = /etc/hookpipe/pipeline.conf ] && ok "conffile registered: $conffiles" || fail "conffiles: $conffiles"

# 5. Secrets where the unit loads them, one per source of the shipped config.
inside 10 sh -c 'umask 077
  printf "whsec_%s\n" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n")" > /etc/hookpipe/credentials/stripe
  printf "whsec_%s\n" "$(head -c 24 /dev/urandom | base64)" > /etc/hookpipe/credentials/standard
  for name in github shopify mercadopago; do head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n" > /etc/hookpipe/credentials/$name; done'
if out=$(inside 60 systemd-run --quiet --pipe --wait -p User=hookpipe -p LoadCredential=secret:/etc/hookpipe/credentials \
    hookpipe check --config /etc/hookpipe/pipeline.conf 2>&1) && grep -q '^configuration OK' <<<"$out"; then
  ok "hookpipe check under systemd-run with the unit's credentials: configuration OK"
else
  fail "hookpipe check under systemd-run: $out"
fi

# 6. Enable and start; Type=notify makes `start` wait for READY=1.
t0=$SECONDS
started_at=$SECONDS
if out=$(inside 120 systemctl enable --now hookpipe 2>&1); then
  ok "systemctl enable --now hookpipe returned 0 after $((SECONDS - t0)) s"
else
  fail "systemctl enable --now hookpipe: $out"; inside 10 journalctl -u hookpipe --no-pager | tail -20
fi
show=$(inside 10 systemctl show -p ActiveState -p SubState -p MainPID -p StatusText -p User hookpipe)
mainpid=$(sed -n 's/^MainPID=//p' <<<"$show")
grep -qx ActiveState=active <<<"$show" && grep -qx SubState=running <<<"$show" \
  && ok "active (running), MainPID $mainpid, $(grep ^StatusText= <<<"$show")" || fail "after start: $show"
# READY=1 came before systemd said Started: the daemon's "listening" line is logged first.
journal=$(inside 10 journalctl -u hookpipe -o cat --no-pager)
listening=$(grep -n 'listening' <<<"$journal" | head -1 | cut -d: -f1)
started=$(grep -n '^Started hookpipe' <<<"$journal" | head -1 | cut -d: -f1)
[ -n "$listening" ] && [ -n "$started" ] && [ "$listening" -lt "$started" ] \
  && ok "journal: the daemon's 'listening' line (line $listening) precedes systemd's 'Started' (line $started)" \
  || fail "order of 'listening' ($listening) and 'Started' ($started) in the journal"

# 7. hookpipe status and /readyz agree.
status=$(inside 20 hookpipe status --config /etc/hookpipe/pipeline.conf 2>&1)
readyz=$(inside 10 curl -s -w ' HTTP %{http_code}' http://127.0.0.1:8081/readyz | tr -d '\n')
grep -q "^hookpipe: running; pid $mainpid," <<<"$status" && ok "hookpipe status: $(head -1 <<<"$status")" || fail "hookpipe status: $status"
[ "$readyz" = '{"ready":true,"reasons":[]} HTTP 200' ] && ok "/readyz: $readyz" || fail "/readyz: $readyz"
owner=$(inside 10 stat -c '%U %a' /var/lib/hookpipe /var/lib/hookpipe/hookpipe.sqlite | tr '\n' ' ')
[ "$owner" = "hookpipe 700 hookpipe 600 " ] && ok "/var/lib/hookpipe and its store: $owner" || fail "state directory ownership: $owner"

# 8. A signed event through the installed plugins (normalize.py, append-dated.pl).
inside 10 sh -c 'umask 077; mkdir -p /root/creds && cp /etc/hookpipe/credentials/stripe /root/creds/secret_stripe && cp /etc/hookpipe/credentials/github /root/creds/secret_github'
sent=$(inside 30 env CREDENTIALS_DIRECTORY=/root/creds hookpipe sign --config /etc/hookpipe/pipeline.conf --source stripe \
  --data '{"id":"evt_proof_1","type":"payment_intent.succeeded","data":{"object":{"amount":1999,"currency":"usd"}}}' --send 2>&1)
grep -q '"status":"accepted"' <<<"$sent" && ok "hookpipe sign --send: $sent" || fail "hookpipe sign --send: $sent"
delivered=""
for _ in $(seq 1 50); do
  delivered=$(inside 5 grep -h evt_proof_1 /var/lib/hookpipe/out.ndjson 2>/dev/null) && [ -n "$delivered" ] && break
  sleep 0.2
done
archived=$(inside 5 sh -c 'grep -l evt_proof_1 /var/lib/hookpipe/archive/*.ndjson' 2>&1)
if grep -q '"normalized"' <<<"$delivered" && [ -n "$archived" ]; then
  ok "delivered: out.ndjson has evt_proof_1 with $(grep -o '"normalized":{[^}]*}' <<<"$delivered"); archived in $archived"
else
  fail "delivery: out.ndjson: ${delivered:-nothing}; archive: $archived"
fi
bad=$(inside 10 curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8080/hooks/github -H 'X-Hub-Signature-256: sha256=00' -d '{}')
[ "$bad" = 401 ] && ok "a wrong signature gets $bad" || fail "a wrong signature got $bad"

# 9. systemctl reload applies a changed config: a new source appears.
before=$(inside 10 curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8080/hooks/extra -d '{}')
inside 10 sh -c 'cat >> /etc/hookpipe/pipeline.conf <<EOF

[[source]]
name = "extra"
path = "/hooks/extra"
scheme = "github"
secrets = ["credential:secret_github"]
EOF'
if out=$(inside 60 systemctl reload hookpipe 2>&1); then ok "systemctl reload hookpipe returned 0"; else fail "systemctl reload: $out"; fi
sent=$(inside 30 env CREDENTIALS_DIRECTORY=/root/creds hookpipe sign --config /etc/hookpipe/pipeline.conf --source extra \
  --data '{"id":"gh_proof_1","zen":"reloaded"}' --send 2>&1)
pidafter=$(inside 10 systemctl show -p MainPID --value hookpipe)
if [ "$before" = 404 ] && grep -q '"status":"accepted"' <<<"$sent" && [ "$pidafter" = "$mainpid" ]; then
  ok "reload applied: /hooks/extra was $before before, after reload: $sent (same pid $pidafter)"
else
  fail "reload: before $before, after: $sent, pid $mainpid -> $pidafter"
fi

# 10. The journal has the request lines with their priorities.
lines=$(inside 20 journalctl -u hookpipe -o json --no-pager --output-fields=MESSAGE,PRIORITY 2>/dev/null \
  | python3 -c 'import json,re,sys
for l in sys.stdin:
    e=json.loads(l); m=e.get("MESSAGE","")
    if isinstance(m,str) and re.match(r"\w+ request ", m): print(e.get("PRIORITY"), m)' 2>&1)
priorities=$(awk '{ if ($0 ~ /http.status=200/) s="200"; else if ($0 ~ /http.status=401/) s="401"; else if ($0 ~ /http.status=404/) s="404"; else s="other"; print s "@" $1 }' <<<"$lines" | sort -u | tr '\n' ' ')
if grep -q '200@6' <<<"$priorities" && grep -q '401@4' <<<"$priorities" && grep -q '404@5' <<<"$priorities"; then
  ok "journal request lines (status@PRIORITY): $priorities; e.g. $(grep -m1 'http.status=200' <<<"$lines")"
else
  fail "journal request lines: $priorities; $lines"
fi

# 11. The watchdog. hookpipe pings WATCHDOG=1 only while its event loop and
#     its chain advance; a daemon that stops making progress stops pinging.
#     First: a healthy daemon outlives WatchdogSec= (so it does ping); then
#     SIGSTOP freezes it (no ping, no progress) and systemd must kill it
#     (WatchdogSignal=, SIGABRT, and SIGCONT so that a stopped process acts
#     on it; SIGKILL if it is still there TimeoutAbortSec= later) and start
#     a new one (Restart=on-failure, after RestartSec=). The last ping was at most
#     WatchdogSec= before the SIGSTOP, so the new daemon must be running
#     within WatchdogSec= + TimeoutAbortSec= + RestartSec= (+ 10 s for the
#     start and this loop's polling).
# Whole seconds ("30s") from systemctl show; empty for anything else.
seconds() { sed -n 's/^\([0-9]*\)s$/\1/p' <<<"$1"; }
times=$(inside 10 systemctl show -p WatchdogUSec -p TimeoutAbortUSec -p RestartUSec hookpipe)
wd=$(sed -n 's/^WatchdogUSec=//p' <<<"$times"); abort=$(sed -n 's/^TimeoutAbortUSec=//p' <<<"$times")
restart_sec=$(sed -n 's/^RestartUSec=//p' <<<"$times")
wd_s=$(seconds "$wd"); abort_s=$(seconds "$abort"); restart_s=$(seconds "$restart_sec")
[ -n "$wd_s" ] && [ "$wd_s" -gt 0 ] && [ -n "$abort_s" ] && [ -n "$restart_s" ] \
  && ok "WatchdogUSec=$wd TimeoutAbortUSec=$abort RestartUSec=$restart_sec" \
  || fail "expected whole seconds: $(tr '\n' ' ' <<<"$times")"
wd_s=${wd_s:-30}; abort_s=${abort_s:-45}; restart_s=${restart_s:-2}
bound=$((wd_s + abort_s + restart_s + 10))
wait_for=$((started_at + wd_s + 5 - SECONDS))
[ "$wait_for" -gt 0 ] && { say "waiting ${wait_for} s so that the daemon has run longer than WatchdogSec=$wd"; sleep "$wait_for"; }
show=$(inside 10 systemctl show -p MainPID -p NRestarts -p ActiveState hookpipe)
wdpid=$(sed -n 's/^MainPID=//p' <<<"$show"); restarts=$(sed -n 's/^NRestarts=//p' <<<"$show")
if [ "$wdpid" = "$mainpid" ] && grep -qx ActiveState=active <<<"$show"; then
  ok "the daemon pings: still MainPID $wdpid after $((SECONDS - started_at)) s under WatchdogSec=$wd, NRestarts=$restarts"
else
  fail "before SIGSTOP: expected MainPID $mainpid still active, got $(tr '\n' ' ' <<<"$show")"
fi
inside 10 sh -c 'kill -STOP "$1"' _ "$wdpid"
t0=$SECONDS
newpid=""; after=""
while [ $((SECONDS - t0)) -lt $((wd_s * 2 + 60)) ]; do
  after=$(inside 10 systemctl show -p MainPID -p NRestarts -p ActiveState -p SubState hookpipe)
  newpid=$(sed -n 's/^MainPID=//p' <<<"$after")
  if [ -n "$newpid" ] && [ "$newpid" != 0 ] && [ "$newpid" != "$wdpid" ] && grep -qx SubState=running <<<"$after"; then break; fi
  newpid=""; sleep 1
done
journal=$(inside 10 journalctl -u hookpipe -o cat --no-pager)
timeout_line=$(grep -m1 'Watchdog timeout' <<<"$journal")
result_line=$(grep -m1 "Failed with result 'watchdog'" <<<"$journal")
nrestarts=$(sed -n 's/^NRestarts=//p' <<<"$after")
replaced_after=$((SECONDS - t0))
if [ -n "$newpid" ] && [ "$nrestarts" = $((restarts + 1)) ] && [ -n "$timeout_line" ] && [ -n "$result_line" ] \
    && [ "$replaced_after" -le "$bound" ] && ! inside 5 test -e "/proc/$wdpid"; then
  ok "watchdog: SIGSTOPped MainPID $wdpid replaced by $newpid after $replaced_after s (at most $bound s: $wd_s + $abort_s + $restart_s + 10), NRestarts $restarts -> $nrestarts; journal: '$timeout_line', '$result_line'"
else
  fail "watchdog: after $replaced_after s (at most $bound s expected): $(tr '\n' ' ' <<<"$after"); old pid $wdpid $(inside 5 test -e "/proc/$wdpid" && echo 'still exists' || echo gone); journal: ${timeout_line:-no 'Watchdog timeout'} / ${result_line:-no watchdog result}"
  inside 5 sh -c 'kill -CONT "$1"' _ "$wdpid" 2>/dev/null  # let the later checks run
fi
# What happened between the timeout and the restart: the signals systemd
# sent, what the daemon said once SIGCONT woke it (a debug build's Swift
# runtime prints a backtrace and carries on until the SIGKILL), with the
# container's monotonic clock.
inside 10 journalctl -u hookpipe -o short-monotonic --no-pager | sed -n '/Watchdog timeout/,/Scheduled restart job/p' \
  | grep -E "Watchdog timeout|Killing process $wdpid |ping withheld|Program crashed|Main process exited|Failed with result|Scheduled restart" \
  | head -12 | sed 's/^/    /'
readyz=$(inside 30 curl -s --retry 20 --retry-connrefused --retry-delay 1 -w ' HTTP %{http_code}' http://127.0.0.1:8081/readyz | tr -d '\n')
status=$(inside 20 hookpipe status --config /etc/hookpipe/pipeline.conf 2>&1)
if [ "$readyz" = '{"ready":true,"reasons":[]} HTTP 200' ] && grep -q "^hookpipe: running; pid ${newpid:-none}," <<<"$status"; then
  ok "after the watchdog restart: /readyz $readyz; $(head -1 <<<"$status")"
else
  fail "after the watchdog restart: /readyz $readyz; status: $(head -1 <<<"$status")"
fi
mainpid=${newpid:-$mainpid}

# 12. systemctl stop drains and exits 0.
t0=$SECONDS
if out=$(inside 90 systemctl stop hookpipe 2>&1); then ok "systemctl stop returned 0 after $((SECONDS - t0)) s"; else fail "systemctl stop: $out"; fi
result=$(inside 10 systemctl show -p Result -p ExecMainCode -p ExecMainStatus -p ActiveState hookpipe | tr '\n' ' ')
grep -q 'Result=success' <<<"$result" && grep -q 'ExecMainStatus=0' <<<"$result" \
  && ok "after stop: $result" || fail "after stop: $result"
status=$(inside 20 hookpipe status --config /etc/hookpipe/pipeline.conf 2>&1)
say "hookpipe status after stop: $(head -1 <<<"$status")"
inside 10 journalctl -u hookpipe -o cat --no-pager > "$work/journal.txt" 2>&1
say "last journal lines:"; tail -4 "$work/journal.txt" | sed 's/^/    /'

# 13. Socket activation, as the README says: with the service stopped,
#     enable the socket units; systemd then holds 127.0.0.1:8080 and :8081,
#     starts hookpipe on the first connection and passes both listeners
#     (LISTEN_FDNAMES http, admin), which the daemon adopts instead of
#     binding; across a restart the sockets stay open, so no connection is
#     refused.
if out=$(inside 60 systemctl enable --now hookpipe.socket hookpipe-admin.socket 2>&1); then
  ok "systemctl enable --now hookpipe.socket hookpipe-admin.socket (service stopped)"
else
  fail "enable --now the socket units: $out"
fi
states=$(inside 10 systemctl is-active hookpipe.socket hookpipe-admin.socket hookpipe.service | tr '\n' ' ')
[ "$states" = "active active inactive " ] && ok "sockets listening, service not started yet: $states" || fail "socket/service states: $states"
# The inode of the listening socket on 127.0.0.1:PORT (/proc/net/tcp: local
# address in hex, state 0A = LISTEN, inode in column 10), and the PIDs holding it.
listen_inode() { inside 5 awk -v a="0100007F:$(printf '%04X' "$1")" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp; }
holders() {
  inside 10 sh -c 'for fd in /proc/[0-9]*/fd/*; do [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$1]" ] && echo "${fd#/proc/}"; done' _ "$1" \
    | cut -d/ -f1 | sort -un | tr '\n' ' '
}
http_inode=$(listen_inode 8080); admin_inode=$(listen_inode 8081)
t0=$SECONDS
readyz=$(inside 120 curl -s --max-time 100 -w ' HTTP %{http_code}' http://127.0.0.1:8081/readyz | tr -d '\n')
sapid=$(inside 10 systemctl show -p MainPID --value hookpipe)
if [ "$readyz" = '{"ready":true,"reasons":[]} HTTP 200' ] && [ -n "$sapid" ] && [ "$sapid" != 0 ]; then
  ok "the first connection started hookpipe (MainPID $sapid) and was answered by it after $((SECONDS - t0)) s: $readyz"
else
  fail "on-demand start: /readyz $readyz, MainPID $sapid"
fi
listen_env=$(inside 10 sh -c 'tr "\0" "\n" < /proc/$1/environ' _ "$sapid" | grep '^LISTEN_' | sort | tr '\n' ' ')
names=$(sed -n 's/.*LISTEN_FDNAMES=\([^ ]*\).*/\1/p' <<<"$listen_env" | tr ':' '\n' | sort | tr '\n' ' ')
grep -q 'LISTEN_FDS=2 ' <<<"$listen_env" && [ "$names" = "admin http " ] && grep -q "LISTEN_PID=$sapid " <<<"$listen_env" \
  && ok "systemd passed the listeners: $listen_env" || fail "activation environment of $sapid: $listen_env"
http_holders=$(holders "$http_inode"); admin_holders=$(holders "$admin_inode")
if [ -n "$http_inode" ] && [ -n "$admin_inode" ] && [ "$http_holders" = "1 $sapid " ] && [ "$admin_holders" = "1 $sapid " ]; then
  ok "the daemon adopted systemd's sockets: 127.0.0.1:8080 (inode $http_inode) and :8081 (inode $admin_inode) are each held by PID 1 and $sapid only"
else
  fail "listening sockets: 8080 inode ${http_inode:-none} held by ${http_holders:-nobody}; 8081 inode ${admin_inode:-none} held by ${admin_holders:-nobody}"
fi
sent=$(inside 30 env CREDENTIALS_DIRECTORY=/root/creds hookpipe sign --config /etc/hookpipe/pipeline.conf --source stripe \
  --data '{"id":"evt_proof_socket","type":"payment_intent.succeeded"}' --send 2>&1)
grep -q '"status":"accepted"' <<<"$sent" && ok "an event through the adopted listener: $sent" || fail "sign --send through the adopted listener: $sent"
# Requests keep coming while the service restarts: none may be refused.
# The slowest answer shows a request that waited in the backlog for the new daemon.
inside 120 sh -c 'n=0; refused=0; other=0; slowest=0; while [ $n -lt 80 ]; do
    set -- $(curl -s -o /dev/null -w "%{http_code} %{time_total}" --max-time 60 -X POST http://127.0.0.1:8080/hooks/nothing -d "{}")
    case "$1" in 404) ;; 000) refused=$((refused + 1)) ;; *) other=$((other + 1)) ;; esac
    slowest=$(echo "$slowest $2" | awk "{ m = \$1; if (\$2 > m) m = \$2; print m }")
    n=$((n + 1)); sleep 0.05; done; echo "$n $refused $other $slowest"' > "$work/during-restart.txt" 2>&1 &
loop=$!
sleep 1
t0=$SECONDS
if out=$(inside 90 systemctl restart hookpipe 2>&1); then ok "systemctl restart hookpipe (sockets held) returned 0 after $((SECONDS - t0)) s"; else fail "restart under socket activation: $out"; fi
wait "$loop"
read -r n refused other slowest < "$work/during-restart.txt"
repid=$(inside 10 systemctl show -p MainPID --value hookpipe)
if [ "${refused:-x}" = 0 ] && [ "${other:-x}" = 0 ] && [ "$repid" != "$sapid" ] && [ "$(listen_inode 8080)" = "$http_inode" ] \
    && [ "$(holders "$http_inode")" = "1 $repid " ]; then
  ok "across the restart ($sapid -> $repid) the same listening socket (inode $http_inode) stayed open: $n requests, every one answered 404, none refused, the slowest in ${slowest} s"
else
  fail "across the restart: $(cat "$work/during-restart.txt") (requests, refused, other answers, slowest s); pid $sapid -> $repid; 8080 inode $http_inode -> $(listen_inode 8080), held by $(holders "$(listen_inode 8080)")"
fi
mainpid=$repid

# 14. Remove keeps the store and stops and disables every unit (no
#     enablement link left, the socket units' included); purge deletes the
#     store and the conffile. The secrets written to /etc/hookpipe/credentials
#     in step 5 are the administrator's, not the package's: purge keeps them,
#     root-only, and says so (postrm).
links="/etc/systemd/system/multi-user.target.wants/hookpipe.service /etc/systemd/system/sockets.target.wants/hookpipe.socket /etc/systemd/system/sockets.target.wants/hookpipe-admin.socket"
if out=$(inside 120 dpkg --remove hookpipe 2>&1); then
  left_links=$(inside 10 sh -c 'for l in "$@"; do if [ -e "$l" ] || [ -L "$l" ]; then echo "$l"; fi; done' _ $links)
  active=$(inside 10 systemctl is-active hookpipe.service hookpipe.socket hookpipe-admin.socket | tr '\n' ' ')
  if inside 10 test -f /var/lib/hookpipe/hookpipe.sqlite && [ -z "$left_links" ] && [ "$active" = "inactive inactive inactive " ]; then
    ok "dpkg --remove: store kept; service and sockets stopped ($active) and no enablement link left"
  else
    fail "after remove: links left: ${left_links:-none}; units: $active; $(inside 10 ls -la /var/lib/hookpipe 2>&1 | tr '\n' ' ')"
  fi
else
  fail "dpkg --remove: $out"
fi
if out=$(inside 120 dpkg --purge hookpipe 2>&1); then
  present=$(inside 10 sh -c 'for p in /var/lib/hookpipe /etc/hookpipe/pipeline.conf; do if [ -e "$p" ]; then echo "$p"; fi; done' | tr '\n' ' ')
  kept=$(inside 10 ls /etc/hookpipe/credentials 2>&1 | tr '\n' ' ')
  modes=$(inside 10 stat -c '%U %a' /etc/hookpipe/credentials /etc/hookpipe/credentials/stripe 2>&1 | tr '\n' ' ')
  notice=$(grep -m1 'keeps the secrets' <<<"$out")
  if [ -z "$present" ] && [ "$kept" = "github mercadopago shopify standard stripe " ] && [ "$modes" = "root 700 root 600 " ] && [ -n "$notice" ]; then
    ok "dpkg --purge: /var/lib/hookpipe and the conffile are gone; the administrator's secrets stay root-only ($modes): $kept; postrm said: $notice"
  else
    fail "after purge: still there: ${present:-nothing}; credentials: $kept ($modes); notice: ${notice:-none}"
  fi
  say "dpkg --purge printed: $(tr '\n' ' ' <<<"$out")"
else
  fail "dpkg --purge: $out"
fi
thread=$(grep -c 'Failed to set thread priority' "$work/journal.txt")
say "journal lines 'Failed to set thread priority' (libdispatch, unprivileged): $thread"

say "$failures check(s) failed; total $((SECONDS - start)) s"
[ "$failures" = 0 ]
