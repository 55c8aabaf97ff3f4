#!/usr/bin/env bash
# Installs the system packages hookpipe needs to build and test, when missing.
# Runs apt-get only if something is absent (as root, or through sudo).
set -euo pipefail
need=()
for package in libjansson-dev libsqlite3-dev pkg-config jq python3 perl nodejs curl openssl strace systemd postgresql dpkg-dev libcurl4-openssl-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
