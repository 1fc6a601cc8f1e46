#!/bin/sh
# variants-test.sh BUILD SOURCE CMAKE CTEST
# examples/variants, proven every run: statictls installed into a temporary
# prefix, the example configured, built and tested against it with
# find_package(statictls).  Its library needs GLIBC_2.34 where the host's
# glibc is 2.34 or later; statictls_add_library_variants builds it against
# each glibc build's sysroot, and every native build's test (LIBCS all)
# loads its own variant and passes, as does each build's test of the case
# file whose DEFINE names the library: none skips, none fails for want of a
# symbol version, and the variant for a release before 2.34 needs no
# GLIBC_2.34.
set -eu
build=$1 src=$2 cmake=$3 ctest=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cmake" --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
"$cmake" -S "$src/examples/variants" -B "$tmp/variants" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
    > "$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
"$cmake" --build "$tmp/variants" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
cd "$tmp/variants"
"$ctest" --output-on-failure > "$tmp/ctest.log" 2>&1 || { cat "$tmp/ctest.log"; exit 1; }
cat "$tmp/ctest.log"
if grep -q "Skipped\|Not Run" "$tmp/ctest.log"; then echo "FAIL: a build's test skipped"; exit 1; fi

# The builds LIBCS all names: one test each.
builds=$(ls -d "$tmp/prefix"/lib/statictls/glibc-*/root 2>/dev/null |
         sed -n 's|.*/glibc-\([0-9.]*\)/root$|\1|p')
want=2 # the host's two tests (the load test and the case's)
for r in $builds; do
    want=$((want + 2))
    grep -q "needs234-fits.glibc-$r .*Passed" "$tmp/ctest.log" ||
        { echo "FAIL: no passing test of glibc $r"; exit 1; }
    grep -q "case.needs234.glibc-$r .*Passed" "$tmp/ctest.log" ||
        { echo "FAIL: no passing case test of glibc $r (DEFINE's variant)"; exit 1; }
    [ -f "statictls-glibc-$r/libneeds234.so" ] || { echo "FAIL: no variant for glibc $r"; exit 1; }
done
tests=$("$ctest" -N | sed -n 's/^Total Tests: //p')
[ "$tests" = "$want" ] || { echo "FAIL: $tests tests, expected $want (host and $builds)"; exit 1; }

# What the variants are for: the host's library needs GLIBC_2.34, a variant
# of an older release does not.
if readelf -V libneeds234.so | grep -q "Name: GLIBC_2.34"; then
    for r in $builds; do
        case $r in 2.[0-9]|2.[12][0-9]|2.3[0-3])
            if readelf -V "statictls-glibc-$r/libneeds234.so" | grep -q "Name: GLIBC_2.34"; then
                echo "FAIL: the variant for glibc $r needs GLIBC_2.34"; exit 1
            fi
            echo "glibc $r: the host's library needs GLIBC_2.34, its variant does not" ;;
        esac
    done
fi
echo "PASS: examples/variants checked on host and glibc $(echo $builds) ($tests tests)"
