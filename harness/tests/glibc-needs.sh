#!/bin/sh
# glibc-needs.sh STATICTLS CC RELEASE...
# A library that needs a newer glibc than a build's is refused by its ld.so
# whatever its TLS: `load` and `run` say so before anything runs, naming
# the symbol version, the object and the build (exit 1: the library does
# not load there, which is the user's to change, never a skip), and load it
# where the build is new enough.  The library calls dlopen, which x86_64's
# glibc 2.34 and later version GLIBC_2.34; RELEASE...: the glibc builds
# made here, of which one older than 2.34 is used.
set -eu
statictls=$1 cc=$2
shift 2
old=""
for r in "$@"; do
    case $r in 2.[0-9]|2.[12][0-9]|2.3[0-3]) old=$r; break ;; esac
done
[ -n "$old" ] || { echo "no glibc build older than 2.34 here (builds: $*)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/need.c" <<'C'
#include <dlfcn.h>
__thread char need_state[64] __attribute__((tls_model("initial-exec")));
void *need_open(const char *name) { need_state[0] = 1; return dlopen(name, RTLD_NOW); }
C
"$cc" -shared -fPIC -o "$dir/libneed.so" "$dir/need.c"
if ! readelf -V "$dir/libneed.so" | grep -q "Name: GLIBC_2.34"; then
    echo "the host's toolchain links dlopen without GLIBC_2.34 (glibc before 2.34, or not x86_64)"
    exit 77
fi
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
expect() {
    want=$1; shift
    set +e; out=$("$statictls" "$@" 2>&1); rc=$?; set -e
    [ "$rc" = "$want" ] || fail "statictls $* exits $rc, expected $want"
}
said="needs GLIBC_2.34 of libc.so.6, this build is glibc $old"

expect 1 load --glibc "$old" "$dir/libneed.so"
printf '%s\n' "$out" | grep -q "^statictls: load: cannot load on this build: step 1 (.*libneed.so): .*libneed.so $said" ||
    fail "load did not say the library needs GLIBC_2.34"
if printf '%s\n' "$out" | grep -q "^ *1  load"; then fail "load ran the probe all the same"; fi
expect 0 load "$dir/libneed.so"

printf '%s\n' 'title a library built against glibc 2.34 or later' 'libc glibc' 'lib need ${LIB}' \
    'load need' 'expect loads' > "$dir/need.case"
expect 1 run --glibc "$old" --define "LIB=$dir/libneed.so" "$dir/need.case"
printf '%s\n' "$out" | grep -q "cannot load on this build: step 1 (need): .*libneed.so $said" ||
    fail "run did not say the library needs GLIBC_2.34"
expect 0 run --define "LIB=$dir/libneed.so" "$dir/need.case"
echo "PASS: a library needing GLIBC_2.34 is refused on glibc $old before it runs, saying so"
