#!/bin/sh
# trace-replay.sh STATICTLS DLOPEN_REAL
# Traces a small real program that dlopens the system's libgomp.so.1,
# checks what the trace says of it, and replays the trace: as it is it
# loads; with 100 bytes of headroom the libgomp fixture trips; preloading
# it fixes that.  The same as docs/guide-imports.md's table, on a small scale.
set -eu
statictls=$1 program=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$statictls" trace -o "$dir/t.trace" -- "$program" libgomp.so.1
# (136 bytes aligned 16 in Debian 12's libgomp, 120 aligned 8 in Debian 11's)
grep -q "^object	.*phase=dlopen	.*tls_size=[1-9][0-9]*	tls_align=[0-9]*	access=initial-exec	path=.*libgomp.so.1$" "$dir/t.trace" ||
    { cat "$dir/t.trace"; echo "FAIL: libgomp.so.1 is not in the trace as an IE block"; exit 1; }
"$statictls" replay "$dir/t.trace" | grep -q "^outcome: loads$" || { echo "FAIL: as is"; exit 1; }
out=$("$statictls" replay --squeeze 100 "$dir/t.trace")
echo "$out" | grep -q "^outcome: trips at libgomp.so.1: \"cannot allocate memory in static TLS block\"$" ||
    { echo "$out"; echo "FAIL: squeezed"; exit 1; }
"$statictls" replay --squeeze 100 --fix preload=libgomp "$dir/t.trace" | grep -q "^outcome: loads$" ||
    { echo "FAIL: the preload fix"; exit 1; }
# A library whose path holds a tab: traced, escaped, replayed.
gomp=$(sed -n 's/^object	.*phase=dlopen	.*path=\(.*libgomp\.so\.1\)$/\1/p' "$dir/t.trace" | head -n 1)
odd="$dir/tab	dir"
mkdir "$odd" && cp "$gomp" "$odd/libgomp.so.1"
"$statictls" trace -o "$dir/odd.trace" -- "$program" "$odd/libgomp.so.1"
grep -qF "phase=dlopen" "$dir/odd.trace" && grep -qF "path=$dir/tab\tdir/libgomp.so.1" "$dir/odd.trace" ||
    { cat "$dir/odd.trace"; echo "FAIL: the library in a directory with a tab is not in the trace"; exit 1; }
"$statictls" replay "$dir/odd.trace" | grep -q "^outcome: loads$" || { echo "FAIL: replay of odd.trace"; exit 1; }
# A build directory whose path holds a space and a ':':
# the tracer still goes into LD_AUDIT whole, and the trace has libgomp.
build=$(dirname "$statictls")
odd="$dir/build dir:x"
mkdir "$odd"
cp -R "$build/statictls" "$build/statictls-probe" "$build/statictls-tracer.so" "$build/fixtures" "$odd/"
"$odd/statictls" trace -o "$dir/b.trace" -- "$program" libgomp.so.1
grep -q "phase=dlopen	.*path=.*libgomp\.so\.1$" "$dir/b.trace" ||
    { cat "$dir/b.trace"; echo "FAIL: traced from a build directory with ' ' and ':'"; exit 1; }
echo "PASS"
