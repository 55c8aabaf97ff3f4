#!/usr/bin/env bash
# How long the console's event pages take with a million ~1 KiB events
# stored, in SQLite and in PostgreSQL (the same events in both): the first
# page, a deep page, a rare source at several windows, an id, a time jump,
# each outcome; median (min-max) of 7 warm runs per store, alternating, and
# the seq range each page searched. Figures only, not a test: it runs
# Tests/HookpipePostgresTests/ConsoleQueryBenchmark.swift, which the suite
# skips unless HOOKPIPE_CONSOLE_BENCH is set. SQLite is filled through
# appendEach, PostgreSQL (a scratch cluster, scripts/pg-scratch.sh) by
# INSERT ... SELECT; both are removed afterwards. About four minutes.
#
#   bench/console_queries.sh [EVENTS]        # default 1000000
#
# Uses the debug test build (run `swift build --build-tests` first): the
# time is spent in SQLite and PostgreSQL, which are optimised either way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"
case "${1:-}" in -h|--help) sed -n '2,16p' "$0"; exit 0 ;; esac
[ -x .build/debug/hookpipePackageTests.xctest ] || die "build the tests first: swift build --build-tests"
bench_init console
HOOKPIPE_CONSOLE_BENCH=1 HOOKPIPE_CONSOLE_BENCH_EVENTS="${1:-1000000}" HOOKPIPE_CONSOLE_BENCH_DIR="$work" \
  swift test --skip-build --filter ConsoleQueryBenchmark 2>&1 | grep -E '^(\||SQLite|PostgreSQL|Warm)|✘|error' || true
