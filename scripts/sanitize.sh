#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and under ThreadSanitizer,
# each from its own build directory.
#
#   scripts/sanitize.sh            both
#   scripts/sanitize.sh asan       only AddressSanitizer (.build-asan)
#   scripts/sanitize.sh tsan       only ThreadSanitizer  (.build-tsan)
#
# `--sanitize` instruments every target, C dependencies included. The tests
# that run the `hookpipe` binary use the instrumented one built next to them,
# so the daemon's own threads (NIO, store writer, chain, reload) are checked
# too. The whole suite is cheap once built (about a minute each here); the
# concurrency-heavy targets are Chain, Store, Receiver, Process and CLI.
# A sanitizer report makes the process exit non-zero, so the test (or the
# binary it runs) fails. The proof harnesses (ProofTests) skip themselves
# here: they run in the plain suite only (CI's time budget). No report is suppressed (scripts/sanitizers/ holds
# the fuzzers' leak suppressions for TOMLKit).
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
    # The PostgreSQL store tests in a process of their own (see scripts/test.sh).
    ASAN_OPTIONS="detect_leaks=0:$(reports .build-asan)" \
        swift test --skip-build --scratch-path .build-asan --sanitize=address --skip HookpipePostgresTests || status=$?
    ASAN_OPTIONS="detect_leaks=0:$(reports .build-asan)" \
        swift test --skip-build --scratch-path .build-asan --sanitize=address --filter HookpipePostgresTests || status=$?
    echo "sanitize: the whole suite under ASan took $((SECONDS - start)) s"
    check_reports .build-asan ASan || status=1
    return "$status"
}

tsan() {
    build thread .build-tsan
    local start=$SECONDS status=0
    # The PostgreSQL store tests in a process of their own (see scripts/test.sh).
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:$(reports .build-tsan)" \
        swift test --skip-build --scratch-path .build-tsan --sanitize=thread ${TSAN_FILTER:+--filter "$TSAN_FILTER"} \
        --skip HookpipePostgresTests || status=$?
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:$(reports .build-tsan)" \
        swift test --skip-build --scratch-path .build-tsan --sanitize=thread --filter HookpipePostgresTests || status=$?
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
