#!/usr/bin/env bash
# Checks a hookpipe .deb without installing it (no network, no systemd
# running, a few seconds):
#   - its metadata (dpkg-deb -I): name, Depends, conffiles, maintainer scripts;
#   - its files (dpkg-deb -c): exactly the expected FHS paths, owner root,
#     the expected modes, nothing under /usr/local or elsewhere;
#   - the units as installed pass `systemd-analyze verify` (the package is
#     extracted into a temporary root, with the host's own units for
#     sysinit.target & co., and verify runs with --root);
#   - the sysusers.d entry creates the hookpipe user (systemd-sysusers --dry-run);
#   - the unit and the shipped pipeline.conf agree (state directory,
#     credentials, user, binary and config paths, plugins present);
#   - the shipped pipeline.conf passes `hookpipe check`, run with the package's
#     own binary, with dummy secrets in $CREDENTIALS_DIRECTORY named as the
#     unit's LoadCredential= names them.
#   proof/deb_contents.sh path/to/hookpipe_<version>_<arch>.deb
# Prints "ok: …" per check; any failure prints "FAIL: …" and exits 1.
set -uo pipefail
deb=${1:?usage: $0 DEB}
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

# Metadata.
info=$(dpkg-deb -I "$deb") || { echo "FAIL: dpkg-deb -I $deb"; exit 1; }
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: hookpipe" test "$(field Package)" = hookpipe
depends=$(field Depends)
for need in libc6 libjansson4 libsqlite3-0 python3 perl procps; do
  check "Depends names $need" grep -Eq "(^|, )$need( |,|$)" <<<"$depends"
done
check "Depends names nothing from the Swift toolchain" bash -c '! grep -qi swift <<<"$1"' _ "$depends"
dpkg-deb -e "$deb" "$work/DEBIAN"
check "conffiles is exactly /etc/hookpipe/pipeline.conf" test "$(cat "$work/DEBIAN/conffiles")" = /etc/hookpipe/pipeline.conf
for script in postinst prerm postrm; do
  check "$script is there and executable" test -x "$work/DEBIAN/$script"
done
check "postinst creates the user with systemd-sysusers" grep -q 'systemd-sysusers /usr/lib/sysusers.d/hookpipe.conf' "$work/DEBIAN/postinst"
check "postinst runs daemon-reload" grep -q 'systemctl daemon-reload' "$work/DEBIAN/postinst"
check "no maintainer script enables or starts hookpipe" bash -c '! grep -Eq "systemctl (enable|start|restart|reload)|deb-systemd-invoke start" "$@"' _ "$work"/DEBIAN/{postinst,prerm,postrm}
check "postrm deletes /var/lib/hookpipe on purge only" bash -c \
  'awk "/^ *purge\\)/{p=1} p&&/rm -rf \\/var\\/lib\\/hookpipe/{found=1} /;;/{p=0} END{exit !found}" "$1" && [ "$(grep -c "rm -rf /var/lib/hookpipe" "$1")" = 1 ]' _ "$work/DEBIAN/postrm"

# Files: path, mode, owner. dpkg-deb -c prints "drwxr-xr-x root/root 0 date time ./path".
dpkg-deb -c "$deb" | awk '{ sub(/^\.\//, "/", $6); sub(/\/$/, "", $6); if ($6 != "") print $1, $2, $6 }' | sort -k3 > "$work/listing"
cat > "$work/expected" <<'EOF'
drwxr-xr-x root/root /etc
drwxr-xr-x root/root /etc/hookpipe
drwx------ root/root /etc/hookpipe/credentials
-rw-r--r-- root/root /etc/hookpipe/pipeline.conf
drwxr-xr-x root/root /usr
drwxr-xr-x root/root /usr/bin
-rwxr-xr-x root/root /usr/bin/hookpipe
drwxr-xr-x root/root /usr/lib
drwxr-xr-x root/root /usr/lib/systemd
drwxr-xr-x root/root /usr/lib/systemd/system
-rw-r--r-- root/root /usr/lib/systemd/system/hookpipe-admin.socket
-rw-r--r-- root/root /usr/lib/systemd/system/hookpipe.service
-rw-r--r-- root/root /usr/lib/systemd/system/hookpipe.socket
drwxr-xr-x root/root /usr/lib/sysusers.d
-rw-r--r-- root/root /usr/lib/sysusers.d/hookpipe.conf
drwxr-xr-x root/root /usr/share
drwxr-xr-x root/root /usr/share/doc
drwxr-xr-x root/root /usr/share/doc/hookpipe
-rw-r--r-- root/root /usr/share/doc/hookpipe/README.md
-rw-r--r-- root/root /usr/share/doc/hookpipe/README.systemd.md
drwxr-xr-x root/root /usr/share/doc/hookpipe/docs
-rw-r--r-- root/root /usr/share/doc/hookpipe/docs/CHAIN.md
-rw-r--r-- root/root /usr/share/doc/hookpipe/docs/CONFIGURATION.md
-rw-r--r-- root/root /usr/share/doc/hookpipe/docs/OPERATIONS.md
-rw-r--r-- root/root /usr/share/doc/hookpipe/docs/RECEIVING.md
drwxr-xr-x root/root /usr/share/hookpipe
drwxr-xr-x root/root /usr/share/hookpipe/plugins
drwxr-xr-x root/root /usr/share/man
drwxr-xr-x root/root /usr/share/man/man1
-rw-r--r-- root/root /usr/share/man/man1/hookpipe.1.gz
EOF
checkout=$(cd "$(dirname "$0")/.." && pwd)
for plugin in "$checkout"/plugins/*; do
  echo "-rwxr-xr-x root/root /usr/share/hookpipe/plugins/$(basename "$plugin")" >> "$work/expected"
done
sort -k3 -o "$work/expected" "$work/expected"
if diff -u "$work/expected" "$work/listing" > "$work/listing.diff"; then
  ok "files, modes and owners are exactly the expected FHS layout ($(wc -l < "$work/listing") entries)"
else
  fail "files, modes or owners differ from the expected layout (- expected, + package):"; sed 's/^/    /' "$work/listing.diff"
fi

# Extracted: units, sysusers, agreement, man page, hookpipe check.
dpkg-deb -x "$deb" "$root"
units=$root/usr/lib/systemd/system
service=$units/hookpipe.service
config=$root/etc/hookpipe/pipeline.conf
# verify --root needs the base units (sysinit.target…) and /bin/kill inside the root.
verifyroot=$work/verifyroot
cp -a "$root" "$verifyroot"
cp -an /usr/lib/systemd/system/. "$verifyroot/usr/lib/systemd/system/"
install -D -m 0755 /bin/kill "$verifyroot/usr/bin/kill"
ln -s usr/bin "$verifyroot/bin"
if out=$(systemd-analyze verify --man=no --root="$verifyroot" hookpipe.service hookpipe.socket hookpipe-admin.socket 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify --root: hookpipe.service, hookpipe.socket, hookpipe-admin.socket, nothing reported"
else
  fail "systemd-analyze verify: ${out:-exit status non-zero}"
fi
mkdir -p "$work/sysroot/etc"
if out=$(systemd-sysusers --root="$work/sysroot" --dry-run - < "$root/usr/lib/sysusers.d/hookpipe.conf" 2>&1) && grep -q "Creating user 'hookpipe'" <<<"$out"; then
  ok "sysusers.d entry creates the system user hookpipe"
else
  fail "systemd-sysusers --dry-run: $out"
fi
check "unit runs /usr/bin/hookpipe run --config /etc/hookpipe/pipeline.conf" grep -qx 'ExecStart=/usr/bin/hookpipe run --config /etc/hookpipe/pipeline.conf' "$service"
check "unit runs as User=hookpipe, Group=hookpipe" bash -c 'grep -qx User=hookpipe "$1" && grep -qx Group=hookpipe "$1" && ! grep -q "^DynamicUser=yes" "$1"' _ "$service"
check "unit's StateDirectory=hookpipe is the config's state_directory /var/lib/hookpipe" bash -c \
  'grep -qx StateDirectory=hookpipe "$1" && grep -Eq "^state_directory = \"/var/lib/hookpipe\"" "$2"' _ "$service" "$config"
check "unit loads /etc/hookpipe/credentials as secret_*" grep -qx 'LoadCredential=secret:/etc/hookpipe/credentials' "$service"
sources=$(grep -c '^\[\[source\]\]' "$config")
references=$(grep -Ec '^secrets = \["credential:secret_[a-z0-9_-]+"\]' "$config")
check "every [[source]] ($sources) reads its secret as credential:secret_<name>" test "$sources" -gt 0 -a "$sources" = "$references"
check "no file: or env: secret and no literal secret in the shipped config" bash -c '! grep -Eq "^secrets? = .*(file:|env:)" "$1"' _ "$config"
check "admin listener on loopback" bash -c 'awk "/^\\[admin\\]/{a=1;next} /^\\[/{a=0} a&&/^host = \"127\\.0\\.0\\.1\"/{f=1} END{exit !f}" "$1"' _ "$config"
for path in $(grep -Eo '"/usr/share/hookpipe/plugins/[^"]+"' "$config" | tr -d '"'); do
  check "stage script $path is in the package" test -f "$root$path"
done
check "man page renders" bash -c 'zcat "$1" | grep -q "^\\.TH HOOKPIPE 1" && MANWIDTH=80 man -l "$1" 2>&1 >/dev/null | (! grep .)' _ "$root/usr/share/man/man1/hookpipe.1.gz"

credentials=$work/credentials
mkdir -m 0700 "$credentials"
for name in $(grep -Eo 'credential:secret_[a-z0-9_-]+' "$config" | cut -d: -f2); do
  case "$name" in
    secret_stripe) printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" ;;
    secret_standard) printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | base64)" ;;
    *) head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' ;;
  esac > "$credentials/$name"
done
if out=$(cd / && CREDENTIALS_DIRECTORY=$credentials "$root/usr/bin/hookpipe" check --config "$config" 2>&1) && grep -q '^configuration OK' <<<"$out"; then
  ok "the package's hookpipe check passes the shipped pipeline.conf (dummy credentials in \$CREDENTIALS_DIRECTORY)"
else
  fail "hookpipe check on the shipped pipeline.conf:"; sed 's/^/    /' <<<"$out"
fi
if out=$(cd / && env -u CREDENTIALS_DIRECTORY "$root/usr/bin/hookpipe" check --config "$config" 2>&1); then
  fail "hookpipe check passed without credentials: $out"
else
  ok "without \$CREDENTIALS_DIRECTORY hookpipe check refuses the config ($(grep -o 'CREDENTIALS_DIRECTORY is not set' <<<"$out" | head -1))"
fi

if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
