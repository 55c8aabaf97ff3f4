#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and under ThreadSanitizer, each
# from its own build directory.
#
#   scripts/sanitize.sh            both
#   scripts/sanitize.sh asan       only AddressSanitizer (.build-asan)
#   scripts/sanitize.sh tsan       only ThreadSanitizer  (.build-tsan)
#
# `--sanitize` instruments every target, C dependencies included. The tests
# that run the `hookpipe` binary use the instrumented one built next to them,
# so the daemon's own threads (NIO, store writer, chain, reload) are checked
# too. A sanitizer report makes the process exit non-zero, so the test (or the
# binary it runs) fails. No report is suppressed (scripts/sanitizers/ holds
# the fuzzers' leak suppressions for TOMLKit).
#
# What each runs (CI's time budget, since the PostgreSQL and console tests
# joined): every in-process test target under both; the tests that run the
# binary (HookpipeCLITests) split between the two, each test under exactly
# one: those whose daemon runs concurrent parts hard (the end-to-end daemon,
# reload, admin, console, overload, crash, PostgreSQL, systemd suites:
# TSAN_CLI below) under ThreadSanitizer, the rest (input handling, the
# operator's commands, sign, TLS, check) under AddressSanitizer. The split is
# computed from `swift test --list-tests`, so a new suite lands on the ASan
# side, never nowhere. The proof harnesses (ProofTests) run in the plain
# suite only. HOOKPIPE_SANITIZE_ALL=1 runs every test under both.
set -euo pipefail
cd "$(dirname "$0")/.."

# Builds the tests with `--sanitize=$1` into $2; fails on a compiler error and
# on any warning in our own code.
build() {
    local sanitizer=$1 scratch=$2 start=$SECONDS
    mkdir -p "$scratch"
    # lld: gold prints a warning for every exported sanitizer symbol.
    if ! swift build --build-tests --scratch-path "$scratch" --sanitize="$sanitizer" -Xswiftc -use-ld=lld \
        >"$scratch/build.log" 2>&1; then
        tail -50 "$scratch/build.log"
        echo "sanitize: the $sanitizer build failed (log: $scratch/build.log)" >&2
        exit 1
    fi
    if grep -E "^$PWD/(Sources|Tests|Fuzz)/.*warning:" "$scratch/build.log"; then
        echo "sanitize: the $sanitizer build has warnings" >&2
        exit 1
    fi
    echo "sanitize: $sanitizer build took $((SECONDS - start)) s"
}

# Options for every instrumented process (the test runner and the hookpipe
# binaries it starts). Swift's crash backtracer is off: it does not work under
# the sanitizers, whose own report is what we want.
export SWIFT_BACKTRACE=enable=no

# Sanitizer reports go to files as well as stderr: a hookpipe binary started by
# a test reports into a pipe the test may not print. Every report is shown at
# the end, and any report fails the run even if the test that saw it passed.
reports() { # scratch
    local dir=$1/sanitizer-reports
    rm -rf "$dir" && mkdir -p "$dir"
    echo "log_path=$dir/report"
}
check_reports() { # scratch name
    local dir=$1/sanitizer-reports
    if compgen -G "$dir/report*" >/dev/null; then
        cat "$dir"/report*
        echo "sanitize: $2 reported $(ls "$dir" | wc -l) problem(s) (reports in $dir)" >&2
        return 1
    fi
}

# The CLI suites run under TSan; every other CLI test runs under ASan.
TSAN_CLI='^HookpipeCLITests\.(DaemonEndToEndTests|ReloadTests|ReloadSignalTests|AdminEndToEndTests|OverloadTests|OverloadDiskFullTests|CrashRecoveryTests|HandlerIsolationTests|PostgresDaemonTests|StateDirectoryTests|StatusFileDurabilityTests|SystemdIntegrationTests|OperatorCLITests/ConsoleTests)[/.]'

# The CLI tests (`Target.Suite/test()` lines) for `$1` (asan or tsan), as
# anchored --filter patterns, one per test; none when everything runs.
cli_share() { # scratch sanitizer
    local all
    all=$(swift test --skip-build --scratch-path "$1" --sanitize="$2" --list-tests 2>/dev/null \
          | grep '^HookpipeCLITests\.' | grep -v '^HookpipeCLITests\.ProofTests/')
    if [ -z "$all" ]; then echo "sanitize: no CLI tests listed" >&2; exit 1; fi
    if [ "$2" = thread ]; then grep -E "$TSAN_CLI" <<<"$all" || true; else grep -vE "$TSAN_CLI" <<<"$all" || true; fi
}

# Runs the in-process targets, then this sanitizer's share of the CLI tests,
# then the PostgreSQL store tests in a process of their own (see scripts/test.sh).
run_suite() { # scratch sanitizer options-variable-name
    local scratch=$1 sanitizer=$2 status=0 share
    if [ "${HOOKPIPE_SANITIZE_ALL:-0}" = 1 ]; then
        swift test --skip-build --scratch-path "$scratch" --sanitize="$sanitizer" --skip HookpipePostgresTests || status=$?
    else
        swift test --skip-build --scratch-path "$scratch" --sanitize="$sanitizer" \
            --skip HookpipePostgresTests --skip HookpipeCLITests || status=$?
        share=$(cli_share "$scratch" "$sanitizer")
        echo "sanitize: $(wc -l <<<"$share") CLI tests under $sanitizer (the others under the other sanitizer)"
        # Regex-escaped identifiers anchored at the start (each ends in its
        # `()`; the testing library does not match a `$` anchor), one --filter.
        local pattern
        pattern=$(sed -e 's/[][().*+?^$|\\]/\\&/g' -e 's/^/^/' <<<"$share" | paste -sd'|')
        swift test --skip-build --scratch-path "$scratch" --sanitize="$sanitizer" --filter "$pattern" || status=$?
    fi
    swift test --skip-build --scratch-path "$scratch" --sanitize="$sanitizer" --filter HookpipePostgresTests || status=$?
    return "$status"
}

asan() {
    build address .build-asan
    local start=$SECONDS status=0
    # Leak checking is off here: LeakSanitizer cannot follow Swift references
    # stored with tag bits (multi-payload enums such as Data's storage or
    # LineSplitter.Line.oversized, weak-reference side tables), so it reports
    # memory that is still referenced (a `static let` array, GRDB's bound
    # Data, Foundation.Process, URLSession.shared in `hookpipe sign`); see
    # docs/RELIABILITY.md. Memory errors are still caught. The fuzzers, whose
    # harnesses keep no such state, check leaks (scripts/fuzz.sh).
    ASAN_OPTIONS="detect_leaks=0:$(reports .build-asan)" run_suite .build-asan address || status=$?
    echo "sanitize: the suite under ASan took $((SECONDS - start)) s"
    check_reports .build-asan ASan || status=1
    return "$status"
}

tsan() {
    build thread .build-tsan
    local start=$SECONDS status=0
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:$(reports .build-tsan)" run_suite .build-tsan thread || status=$?
    echo "sanitize: the suite under TSan took $((SECONDS - start)) s"
    check_reports .build-tsan TSan || status=1
    return "$status"
}

for which in "${@:-asan tsan}"; do
    for step in $which; do
        case "$step" in
            asan) asan ;;
            tsan) tsan ;;
            *) echo "usage: scripts/sanitize.sh [asan] [tsan]" >&2; exit 2 ;;
        esac
    done
done
