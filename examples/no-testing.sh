#!/bin/sh
# no-testing.sh SOURCE CMAKE CTEST
# -DBUILD_TESTING=OFF configures without cmocka (pkg-config here knows only
# libelf, jansson and libarchive) and registers no test.
set -eu
src=$1 cmake=$2 ctest=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/pc"
for module in libelf jansson libarchive zlib; do
    pc=$(pkg-config --variable=pcfiledir "$module" 2>/dev/null)/$module.pc
    [ ! -f "$pc" ] || cp "$pc" "$tmp/pc/"
done
PKG_CONFIG_LIBDIR=$tmp/pc "$cmake" -S "$src" -B "$tmp/build" -DBUILD_TESTING=OFF \
    -DSTATICTLS_FETCH_GLIBC=OFF > "$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
if grep -qi cmocka "$tmp/configure.log"; then cat "$tmp/configure.log"; echo "FAIL: cmocka was looked for"; exit 1; fi
tests=$(cd "$tmp/build" && "$ctest" -N | sed -n 's/^Total Tests: //p')
[ "$tests" = 0 ] || { echo "FAIL: $tests tests registered"; exit 1; }
echo "PASS: configured without cmocka, no tests registered"
