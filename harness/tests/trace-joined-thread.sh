#!/bin/sh
# trace-joined-thread.sh STATICTLS DLOPEN_REAL CENSUS_KIT BUILD_DIR [TREE...]
# glibc never clears its multi-threaded flag: a program that created a
# thread and joined it is multi-threaded for glibc <= 2.21's count rule.
# The program dlopens 14 general-dynamic modules, creates and joins a
# thread, then dlopens an initial-exec one (module id 16).  The trace must
# say it went multi-threaded with one thread running; replayed, the model
# of 2.17 trips on the count rule, the host loads it, and on each real
# glibc TREE given (2.17, 2.21) the replay trips, measured.
set -eu
statictls=$1 program=$2 kit=$3 build=$4
shift 4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
libs=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
    "$kit" fixture "$build/fixtures/template-gd.so" "$dir/gd$i.so" 16 8
    libs="$libs $dir/gd$i.so"
done
"$kit" fixture "$build/fixtures/template-ie.so" "$dir/ie.so" 1024 8
# shellcheck disable=SC2086 # $libs: one word per library
"$statictls" trace -o "$dir/t.trace" -- "$program" $libs --thread "$dir/ie.so"
grep -q "^object	.*phase=dlopen	.*threads=1	multithreaded=1	modid=16	.*access=initial-exec	path=$dir/ie.so$" "$dir/t.trace" ||
    { cat "$dir/t.trace"; echo "FAIL: ie.so is not traced as loaded after the process went multi-threaded"; exit 1; }
out=$("$statictls" replay --model glibc-2.17 "$dir/t.trace")
echo "$out" | grep -q '^outcome: trips at ie.so: "dlopen: cannot load any more object with static TLS" (modelled)$' ||
    { echo "$out"; echo "FAIL: the 2.17 model"; exit 1; }
"$statictls" replay "$dir/t.trace" | grep -q "^outcome: loads$" || { echo "FAIL: the host"; exit 1; }
for tree in "$@"; do
    status=0
    out=$("$statictls" replay --libc-tree "$tree" "$dir/t.trace" 2>&1) || status=$?
    if [ "$status" -eq 77 ]; then
        echo "skipped: $out"
        continue
    fi
    echo "$out" | grep -q '^outcome: trips at ie.so: "dlopen: cannot load any more object with static TLS"$' ||
        { echo "$out"; echo "FAIL: measured on $tree"; exit 1; }
    echo "measured on $tree: trips on the count rule"
done
echo PASS
