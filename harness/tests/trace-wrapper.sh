#!/bin/sh
# trace-wrapper.sh STATICTLS DLOPEN_REAL CENSUS_KIT
# A command run through a wrapper that execs the real program in the same
# process (`sh -c 'exec ...'`, `env`): trace keeps each program's objects
# apart (a process record per program), and doctor and replay judge the
# program that failed (the one whose object glibc's message names, else
# the last one exec'd), so each object is listed once: libc.so.6 once, not
# once per program.  A trace of format 1 (no process records) reads as one
# process.
set -eu
statictls=$1 program=$2 kit=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
template=$(dirname "$statictls")/fixtures/template-ie.so
"$kit" fixture "$template" "$dir/big.so" 4000 8

set +e
out=$("$statictls" trace -o "$dir/t.trace" -- sh -c 'exec "$0" "$@"' "$program" "$dir/big.so" 2>&1)
set -e
[ "$(grep -c '^process	' "$dir/t.trace")" = 2 ] || { cat "$dir/t.trace"; fail "not one process record per program"; }
grep -q "^process	pid=[0-9]*	program=.*/dlopen-real$" "$dir/t.trace" || { cat "$dir/t.trace"; fail "dlopen-real's process record"; }
printf '%s\n' "$out" | grep -q "need static TLS, .* in .*dlopen-real (of 2 programs the command ran, each kept apart" ||
    fail "the summary does not name the program judged"
out=$("$statictls" replay "$dir/t.trace" 2>&1)
printf '%s\n' "$out" | grep -q '^outcome: trips at big.so: "cannot allocate memory in static TLS block"$' ||
    fail "replay of the wrapped trace"
# The same trace as format 1 wrote it: one process, every object in it.
sed -e '/^process	/d' -e 's/format=2/format=1/' "$dir/t.trace" > "$dir/old.trace"
out=$("$statictls" replay "$dir/old.trace" 2>&1)
printf '%s\n' "$out" | grep -q '^outcome: trips at big.so' || fail "a format 1 trace"

# doctor through each wrapper: libc.so.6 and big.so once each.
for wrapper in sh env; do
    if [ $wrapper = sh ]; then
        set -- sh -c 'exec "$0" "$@"' "$program" "$dir/big.so"
    else
        set -- env "$program" "$dir/big.so"
    fi
    set +e
    out=$("$statictls" doctor -- "$@" 2>&1)
    set -e
    [ "$(printf '%s\n' "$out" | grep -c 'initial  .*/libc\.so\.6$')" = 1 ] ||
        fail "doctor through $wrapper: libc.so.6 not listed once"
    [ "$(printf '%s\n' "$out" | grep -c 'TRIPS  .*/big\.so$')" = 1 ] ||
        fail "doctor through $wrapper: big.so not listed once as the object that trips"
done
echo PASS
