#!/bin/sh
# headroom-chain.sh STATICTLS CC
# A program that tries to exec another that is not there (as a launcher
# searching PATH does), goes on, and dlopens libgomp: the exec returned, so
# its startup objects are still its own, and headroom and doctor model
# from the one object it loaded (libgomp), not libc too.  The same through
# a wrapper that execs it (`sh -c 'exec ...'`): each program the process
# runs is kept apart, and the last one is judged.
set -eu
statictls=$1 cc=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
cat > "$dir/tryexec.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    char *none[] = {"/nonexistent/statictls-test-program", NULL};
    execv(none[0], none);
    for (int i = 1; i < argc; i++)
        if (!dlopen(argv[i], RTLD_NOW)) {
            fprintf(stderr, "tryexec: %s\n", dlerror());
            return 1;
        }
    return 0;
}
C
"$cc" -o "$dir/tryexec" "$dir/tryexec.c" -ldl
# shellcheck disable=SC2016 # $0 and $@ are the inner shell's
for wrapped in no yes; do
    if [ $wrapped = no ]; then
        set -- "$dir/tryexec" libgomp.so.1
    else
        set -- sh -c 'exec "$0" "$@"' "$dir/tryexec" libgomp.so.1
    fi
    out=$("$statictls" headroom -- "$@" 2>&1) || fail "headroom exits $?"
    printf '%s\n' "$out" | grep -q '^predicted     [0-9]* (modelled from the 1 static-TLS objects it loaded)$' ||
        fail "headroom (wrapped: $wrapped) does not model from libgomp alone"
    printf '%s\n' "$out" | grep -q '^runs          3 (prediction verified)$' ||
        fail "headroom (wrapped: $wrapped): the prediction is not verified"
    out=$("$statictls" doctor -- "$@" 2>&1) || fail "doctor exits $?"
    printf '%s\n' "$out" | grep -q '^predicted     [0-9]* (modelled from the 1 static-TLS objects it loaded)$' ||
        fail "doctor (wrapped: $wrapped) does not model from libgomp alone"
done
echo PASS
