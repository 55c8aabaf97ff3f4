#!/usr/bin/env bash
# Builds the Debian package hookpipe_<version>_<arch>.deb from this checkout.
#   scripts/package-deb.sh                 # release build, package in the current directory
#   scripts/package-deb.sh --output DIR    # the .deb goes to DIR
#   HOOKPIPE_BIN=path/to/hookpipe scripts/package-deb.sh   # package a binary already built
#   HOOKPIPE_DEB_COMPRESSION=none …        # dpkg-deb -Z: xz (default), gzip, zstd, none
# The release build links Swift's runtime statically (--static-swift-stdlib), so
# the package needs only Debian's libraries (Depends: from dpkg-shlibdeps) and
# nothing from the Swift toolchain in /opt/swift. A binary given with
# HOOKPIPE_BIN that loads libraries from outside Debian's packages (a debug
# build does: libswiftCore.so…) is refused unless HOOKPIPE_ALLOW_FOREIGN_LIBS=1,
# which the content test uses to check the layout with the debug binary.
# Prints the path of the .deb on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
output=$PWD
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: $0 [--output DIR]" >&2; exit 2 ;;
  esac
done
for tool in dpkg-deb dpkg-shlibdeps gzip; do
  command -v "$tool" >/dev/null || { echo "package-deb: $tool is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done

bin=${HOOKPIPE_BIN:-}
if [ -z "$bin" ]; then
  scripts/install-deps.sh
  swift build -c release --product hookpipe --static-swift-stdlib
  bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/hookpipe"
fi
[ -x "$bin" ] || { echo "package-deb: $bin is not an executable" >&2; exit 1; }

foreign=$(ldd "$bin" | awk '$3 ~ /^\// && $3 !~ /^\/(usr\/)?lib\// { print $3 }')
if [ -n "$foreign" ] && [ "${HOOKPIPE_ALLOW_FOREIGN_LIBS:-0}" != 1 ]; then
  echo "package-deb: $bin loads libraries no Debian package provides (build with --static-swift-stdlib):" >&2
  echo "$foreign" >&2
  exit 1
fi

version=$("$bin" --version)
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

# Files, with the modes they are installed with (the package is built with
# --root-owner-group, so everything belongs to root).
install -D -m 0755 "$bin" "$root/usr/bin/hookpipe"
strip --strip-debug "$root/usr/bin/hookpipe"
install -d -m 0755 "$root/usr/share/hookpipe/plugins"
install -m 0755 plugins/* "$root/usr/share/hookpipe/plugins/"
install -D -m 0644 contrib/debian/pipeline.conf "$root/etc/hookpipe/pipeline.conf"
install -d -m 0700 "$root/etc/hookpipe/credentials"
install -d -m 0755 "$root/usr/lib/systemd/system"
install -m 0644 contrib/systemd/hookpipe.service contrib/systemd/hookpipe.socket \
  contrib/systemd/hookpipe-admin.socket "$root/usr/lib/systemd/system/"
install -D -m 0644 contrib/debian/hookpipe.sysusers "$root/usr/lib/sysusers.d/hookpipe.conf"
install -D -m 0644 README.md "$root/usr/share/doc/hookpipe/README.md"
# The reference the README links to, at the same relative paths (docs/…).
install -d -m 0755 "$root/usr/share/doc/hookpipe/docs"
install -m 0644 docs/CONFIGURATION.md docs/RECEIVING.md docs/CHAIN.md docs/OPERATIONS.md \
  "$root/usr/share/doc/hookpipe/docs/"
install -m 0644 contrib/systemd/README.md "$root/usr/share/doc/hookpipe/README.systemd.md"
install -d -m 0755 "$root/usr/share/man/man1"
gzip -9n < contrib/debian/hookpipe.1 > "$root/usr/share/man/man1/hookpipe.1.gz"
chmod 0644 "$root/usr/share/man/man1/hookpipe.1.gz"

# Dependencies: the shared libraries the binary loads (dpkg-shlibdeps maps
# them to Debian packages), plus the interpreters of the handlers that the
# shipped pipeline.conf runs (normalize.py, append-dated.pl with JSON::PP)
# and procps for the unit's ExecReload=/bin/kill (not in a minimal Debian).
mkdir -p "$work/debian"
printf 'Source: hookpipe\n\nPackage: hookpipe\nArchitecture: any\n' > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O -eroot/usr/bin/hookpipe 2>"$work/shlibdeps.err") || {
  cat "$work/shlibdeps.err" >&2; exit 1; }
shlibs=${shlibs#shlibs:Depends=}
[ -n "$shlibs" ] || { echo "package-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -d -m 0755 "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: hookpipe
Version: $version
Architecture: $arch
Maintainer: hookpipe developers <hookpipe@localhost>
Installed-Size: $size
Depends: $shlibs, python3, perl, procps
Suggests: jq, nodejs, postgresql-client
Section: net
Priority: optional
Description: webhook ingest daemon
 hookpipe verifies signed webhook notifications (Stripe, GitHub, Shopify,
 MercadoPago, Standard Webhooks, Slack, Meta, Tiendanube, any HMAC scheme),
 validates the JSON, drops duplicates, stores each event durably before
 answering 200, and streams the stored events through a chain of supervised
 handler processes. Installing the package does not start the service: put
 the providers' secrets in /etc/hookpipe/credentials first (see
 /usr/share/doc/hookpipe/README.md).
EOF
printf '/etc/hookpipe/pipeline.conf\n' > "$root/DEBIAN/conffiles"
install -m 0755 contrib/debian/postinst contrib/debian/prerm contrib/debian/postrm "$root/DEBIAN/"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles"

deb="$output/hookpipe_${version}_${arch}.deb"
dpkg-deb "-Z${HOOKPIPE_DEB_COMPRESSION:-xz}" --build --root-owner-group "$root" "$deb" >/dev/null
echo "$deb"
