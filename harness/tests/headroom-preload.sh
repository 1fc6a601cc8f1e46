#!/bin/sh
# headroom-preload.sh STATICTLS DLOPEN_REAL CENSUS_KIT
# The helper's LD_PRELOAD and the user's: a launcher that drops the helper
# (env -i, env -u LD_PRELOAD) is said before anything runs, by headroom as
# by doctor; one that replaces LD_PRELOAD with its own (`env
# LD_PRELOAD=...`) is said as that; the user's own LD_PRELOAD, kept after
# the helper, is said beside every figure, never a bare "needs 0".
set -eu
statictls=$1 program=$2 kit=$3
here=$(dirname "$0")
. "$here/lib-expect.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
cd "$dir"
"$kit" fixture "$(dirname "$statictls")/fixtures/template-ie.so" "$dir/own.so" 64 8

# 1. Dropped: said, exit 2, nothing run (a run would leave `ran`).
for cmd in headroom doctor; do
    expect "$cmd-env-i" 2 "$cmd: nothing measured: .env -i. starts the program with an empty environment" -- \
        "$statictls" $cmd -- env -i sh -c 'touch ran'
    expect "$cmd-env-u" 2 "$cmd: nothing measured: .env -u LD_PRELOAD. starts the program without LD_PRELOAD" -- \
        "$statictls" $cmd -- env -u LD_PRELOAD sh -c 'touch ran'
    [ ! -e ran ] || fail "$cmd ran a launcher that drops the helper"
done

# 2. Replaced by the command's own LD_PRELOAD: said as that.
for cmd in headroom doctor; do
    expect "$cmd-env-preload" 2 "$cmd: nothing measured: .*exec'd [^ ]*dlopen-real with an LD_PRELOAD of the command's own that replaces the helper's" -- \
        "$statictls" $cmd -- env LD_PRELOAD="$dir/own.so" "$program" libgomp.so.1
done

# 3. The user's own LD_PRELOAD (here libgomp itself): the 0 is said to be
#    with it, and the preload named.
gomp=$("$statictls" census --json libgomp.so.1 2>/dev/null | sed -n 's/.*"path": "\([^"]*libgomp[^"]*\)".*/\1/p' | head -n 1)
[ -n "$gomp" ] || gomp=libgomp.so.1
out=$(LD_PRELOAD=$gomp "$statictls" headroom -- "$program" libgomp.so.1 2>&1) || fail "headroom exits $?"
printf '%s\n' "$out" | grep -q '^needed_bytes  0 (measured with your LD_PRELOAD: ' || fail "headroom: a bare needs 0"
printf '%s\n' "$out" | grep -q "^LD_PRELOAD    yours, kept after statictls' helper: " || fail "headroom: the user's LD_PRELOAD not said"
out=$(LD_PRELOAD=$gomp "$statictls" headroom --json -- "$program" libgomp.so.1 2>&1) || fail "headroom --json exits $?"
printf '%s\n' "$out" | grep -q '"user_preload": "' || fail "headroom --json: no user_preload"
out=$(LD_PRELOAD=$gomp "$statictls" doctor -- "$program" libgomp.so.1 2>&1) || fail "doctor exits $?"
printf '%s\n' "$out" | grep -q '^needed        0 (measured with your LD_PRELOAD: ' || fail "doctor: a bare needs 0"
printf '%s\n' "$out" | grep -q "^LD_PRELOAD    yours, kept after statictls' helper: " || fail "doctor: the user's LD_PRELOAD not said"
# Without one: no such line.
out=$("$statictls" headroom -- "$program" libgomp.so.1 2>&1)
if printf '%s\n' "$out" | grep -q '^LD_PRELOAD'; then fail "an LD_PRELOAD line without one"; fi
echo PASS
