#!/usr/bin/env bash
# Start hookpipe on ./pipeline.conf: installs what is missing (libjansson-dev,
# libsqlite3-dev), builds, creates development secrets on first start, runs.
#   scripts/run.sh                 # debug build
#   HOOKPIPE_RELEASE=1 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
config="${HOOKPIPE_CONFIG:-pipeline.conf}"
mode=debug
[ "${HOOKPIPE_RELEASE:-0}" = 1 ] && mode=release
swift build -c "$mode" --product hookpipe
# Development secrets for the shipped pipeline.conf (never used in production).
mkdir -p secrets && chmod 700 secrets
for name in mercadopago stripe github shopify standard; do
  file="secrets/$name.secret"
  [ -s "$file" ] && continue
  case "$name" in
    stripe) printf 'whsec_%s' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$file" ;;
    standard) printf 'whsec_%s' "$(head -c 24 /dev/urandom | base64)" > "$file" ;;
    *) head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file" ;;
  esac
  chmod 600 "$file"
done
exec "$(swift build -c "$mode" --show-bin-path)/hookpipe" run --config "$config"
