#!/bin/sh
# fuzz-real.sh STATICTLS
# `statictls fuzz --real DIR`: the libraries with TLS under DIR mixed with
# fixtures.  One that loads (a copy of the ie template) is held to the
# model; one that cannot load for a reason outside TLS (an undefined
# symbol) is counted apart and left out, never a disagreement; a DIR with
# no library with TLS is a skip (77); DIR without --real is a usage error.
set -eu
statictls=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
fixtures=$(dirname "$statictls")/fixtures
mkdir "$dir/libs" "$dir/none"
cp "$fixtures/template-ie-unique.so" "$dir/libs/libgood.so.1"
cp "$fixtures/tls-undefined.so" "$dir/libs/libbad.so"
cp "$fixtures/ctor-crash.so" "$dir/none/libnotls.so"

set +e
out=$("$statictls" fuzz --real "$dir/libs" --count 60 --seed 1 2>&1); code=$?
set -e
[ "$code" = 0 ] || fail "exit $code, expected 0"
printf '%s\n' "$out" | grep -q ', 0 disagree, .* [1-9][0-9]* where a real library failed outside TLS$' ||
    fail "the undefined symbol was not counted apart"
printf '%s\n' "$out" | grep -q "left out: $dir/libs/libbad.so: .*undefined symbol: statictls_defined_nowhere" ||
    fail "libbad.so was not left out with its reason"
printf '%s\n' "$out" | grep -q "left out: .*libgood" && fail "libgood.so was left out"

set +e
out=$("$statictls" fuzz --real "$dir/none" --count 5 2>&1); code=$?
set -e
[ "$code" = 77 ] || fail "a DIR without TLS libraries: exit $code, expected 77"
printf '%s\n' "$out" | grep -q "no shared library with TLS" || fail "the skip does not say why"

set +e
out=$("$statictls" fuzz "$dir/libs" 2>&1); code=$?
set -e
[ "$code" = 2 ] || fail "DIR without --real: exit $code, expected 2"
printf '%s\n' "$out" | grep -q "only with --real" || fail "the usage error does not say why"
echo "PASS"
