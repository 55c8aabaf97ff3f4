#!/usr/bin/env bash
# Installs the system packages hookpipe needs to build and test, when missing.
# Runs apt-get only if something is absent (as root, or through sudo).
#
# postgresql is wanted for its binaries only: tests, benchmarks and proofs
# start their own throwaway servers (scripts/pg-scratch.sh) and never use a
# system cluster. Installed from scratch, Debian's package would create the
# cluster 15/main and start it on port 5432 (its postinst runs invoke-rc.d,
# which /etc/init.d/postgresql or systemd obeys, unless a policy-rc.d says
# no, as Docker's Debian images do). So this script says no: for the
# length of any install, a policy-rc.d that refuses every start (when there
# is none already), so that no package installed here starts a service; and
# for postgresql, create_main_cluster = false in
# /etc/postgresql-common/createcluster.d/. Both are removed afterwards; a
# cluster made or started before is left alone.
#
# debootstrap (with Debian's archive keyring), systemd-container
# (systemd-nspawn) and util-linux (nsenter) are for proof/systemd_container.sh,
# which the suite runs as root.
#
# chromium and chromium-driver, with Selenium from PyPI (into the python3 on
# PATH, which runs the proof scripts), drive the web console in a real
# browser (proof/console_browser.py). Selenium is pinned to 4.51.0: 4.52 and
# later require a certifi newer than the registry reachable here serves.
set -euo pipefail
selenium_version=4.51.0
install_selenium() {
  python3 -c 'import selenium' >/dev/null 2>&1 && return 0
  echo "installing: selenium==$selenium_version (pip)" >&2
  # A python3 that Debian manages refuses plain pip installs (PEP 668).
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "selenium==$selenium_version" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --break-system-packages "selenium==$selenium_version"
}
need=()
for package in libjansson-dev libsqlite3-dev pkg-config jq python3 perl nodejs curl openssl strace systemd postgresql dpkg-dev \
    libcurl4-openssl-dev iproute2 debootstrap debian-archive-keyring systemd-container util-linux procps \
    chromium chromium-driver; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && { install_selenium; exit 0; }
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

# What to remove afterwards: our files, then the directories we made (only
# while empty: the packages fill /etc/postgresql-common).
undo_files=() undo_dirs=()
cleanup() {
  [ ${#undo_files[@]} -eq 0 ] || $sudo rm -f "${undo_files[@]}"
  [ ${#undo_dirs[@]} -eq 0 ] || $sudo rmdir "${undo_dirs[@]}" 2>/dev/null || true
}
trap cleanup EXIT
if printf '%s\n' "${need[@]}" | grep -qx postgresql; then
  conf=/etc/postgresql-common/createcluster.d
  [ -d /etc/postgresql-common ] || undo_dirs=(/etc/postgresql-common)
  [ -d "$conf" ] || undo_dirs=("$conf" "${undo_dirs[@]}")
  $sudo mkdir -p "$conf"
  echo 'create_main_cluster = false' | $sudo tee "$conf/hookpipe-install-deps.conf" >/dev/null
  undo_files+=("$conf/hookpipe-install-deps.conf")
fi
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# scripts/install-deps.sh: start no service while it installs packages\nexit 101\n' \
    | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod 0755 /usr/sbin/policy-rc.d
  undo_files+=(/usr/sbin/policy-rc.d)
fi

echo "installing: ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
install_selenium
