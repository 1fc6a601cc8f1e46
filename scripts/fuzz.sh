#!/bin/sh
# Long runs of the libFuzzer targets (harness/tests/fuzz/), one after the
# other: each for SECONDS (default 600), its findings kept in
# BUILD_DIR/harness/tests/fuzz/corpus-NAME, a crash written there as
# crash-NAME-*.  ctest runs each for a few seconds only (label fuzz).
#
#   scripts/fuzz.sh [SECONDS] [BUILD_DIR] [NAME...]   (default: 600 build/ all)
# Needs clang with libFuzzer (Debian: clang libclang-rt-dev), found by cmake.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-600}
build=${2:-build}
[ $# -gt 2 ] && shift 2 || set --
names=${*:-caseparse casevars trace record elf wheel}
dir=$build/harness/tests/fuzz
for name in $names; do
    cmake --build "$build" --target "fuzz_$name" >/dev/null ||
        { echo "fuzz.sh: cannot build fuzz_$name (is clang with libFuzzer installed?)" >&2; exit 77; }
done
status=0
for name in $names; do
    echo "fuzz.sh: fuzz_$name for $seconds s"
    mkdir -p "$dir/corpus-$name"
    # Seeds made at build time (the wheel target's, by census-kit), where there are.
    seeds=; [ -d "$dir/seeds-$name" ] && seeds=$dir/seeds-$name
    "$dir/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="harness/tests/fuzz/$name.dict" -artifact_prefix="$dir/crash-$name-" \
        "$dir/corpus-$name" "harness/tests/fuzz/corpus/$name" ${seeds:+"$seeds"} 2>&1 | tail -n 12 ||
        status=1
done
exit $status
