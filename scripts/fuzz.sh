#!/usr/bin/env bash
# Fuzzes each harness in Fuzz/ with libFuzzer + AddressSanitizer for a
# bounded time, starting from its seed corpus in Fuzz/Corpus/<harness>/.
#
#   scripts/fuzz.sh [seconds-per-harness]    (default 60)
#
# Builds into .build-fuzz (separate from the normal .build). New inputs go
# to a temporary directory, so the committed corpus never grows; a crashing
# input is kept in .build-fuzz/fuzz-artifacts/<harness>/ and the script
# exits 1. Reproduce one with the normal build, without libFuzzer:
#   swift build --product FuzzConfigLoader && .build/debug/FuzzConfigLoader CRASH-FILE
# or with the fuzz build: .build-fuzz/debug/FuzzConfigLoader CRASH-FILE
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
scratch=.build-fuzz
harnesses=(FuzzSignatureHeaders FuzzNDJSONLines FuzzConfigLoader)
# --sanitize: SwiftPM instruments the C/C++ code (toml++ in TOMLKit, BoringSSL),
# compiles the harnesses as libraries and links libFuzzer, whose main runs
# them; it does not add coverage instrumentation to Swift code, so
# -Xswiftc -sanitize=fuzzer,address does. -DHOOKPIPE_FUZZING leaves out the
# harnesses' replay main. lld, because gold warns for every exported ASan symbol.
flags=(--scratch-path "$scratch" --sanitize=fuzzer --sanitize=address
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DHOOKPIPE_FUZZING -Xswiftc -use-ld=lld)

mkdir -p "$scratch"
for harness in "${harnesses[@]}"; do
    start=$SECONDS
    if ! swift build "${flags[@]}" --product "$harness" >"$scratch/build-$harness.log" 2>&1; then
        tail -50 "$scratch/build-$harness.log"
        echo "fuzz: building $harness failed (log: $scratch/build-$harness.log)" >&2
        exit 1
    fi
    echo "fuzz: built $harness in $((SECONDS - start)) s"
done
bin="$(swift build "${flags[@]}" --show-bin-path)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
for harness in "${harnesses[@]}"; do
    artifacts="$scratch/fuzz-artifacts/$harness"
    rm -rf "$artifacts"
    mkdir -p "$artifacts" "$work/$harness"
    log="$artifacts/fuzz.log"
    # The first directory receives new inputs; the seed corpus is only read.
    # Swift's own crash backtracer does not work under ASan; libFuzzer reports.
    if SWIFT_BACKTRACE=enable=no \
        LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0" \
        "$bin/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$work/$harness" "Fuzz/Corpus/$harness" >"$log" 2>&1; then
        executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
        coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
        echo "fuzz: $harness: ${executions:-?} executions in ${seconds} s, ${coverage:-cov: ?}, no crash;" \
             "$(find "$work/$harness" -type f | wc -l) new inputs (not kept)"
    else
        failed=1
        tail -80 "$log"
        echo "fuzz: $harness FAILED; input and log in $artifacts/" >&2
    fi
done
exit "$failed"
