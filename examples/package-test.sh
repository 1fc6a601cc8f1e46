#!/bin/sh
# package-test.sh BUILD SOURCE CMAKE CTEST LIBCS
# The package, proven every run: `cmake --install` into a temporary prefix,
# moved elsewhere (the program finds its parts relative to itself), checked
# for paths into the build or source tree, then `report` from the moved
# prefix (into ./results) and examples/downstream configured, built and
# tested against it with find_package(statictls) (LIBCS: its FOO_LIBCS).
set -eu
build=$1 src=$2 cmake=$3 ctest=$4 libcs=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cmake" --install "$build" --prefix "$tmp/installed" > "$tmp/install.log"
mv "$tmp/installed" "$tmp/moved"
prefix=$tmp/moved
"$prefix/bin/statictls" --version

# Nothing installed names the build or source tree (debug information
# aside): ELF files by their runpath, interpreter and strings, text as is.
find "$prefix" -type f | while read -r f; do
    if [ "$(head -c 4 "$f")" = "$(printf '\177ELF')" ]; then
        content=$(readelf -W -d -p .interp -p .rodata "$f" 2>/dev/null || true)
    else
        content=$(cat "$f")
    fi
    if printf '%s' "$content" | grep -q -F -e "$build" -e "$src"; then
        echo "FAIL: $f names $build or $src"
        exit 1
    fi
done

# report: the installed cases, results in ./results of where it runs.
(cd "$tmp" && "$prefix/bin/statictls" report > report.txt) || [ $? -eq 1 ]

# Installed by root, used by anyone: each glibc build's sysroot came with
# the install (lib/statictls/sysroots/), so another user runs it, never
# reading the cache of whoever built statictls.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
    chmod 755 "$tmp"
    for build in $(echo "$libcs" | tr ';' ' '); do
        [ "$build" != host ] || continue
        out=$(cd / && TMPDIR=/tmp setpriv --reuid=65534 --regid=65534 --clear-groups \
              "$prefix/bin/statictls" limit --glibc "$build" --strict 2>&1) ||
            { echo "$out"; echo "FAIL: glibc $build of a root install, run as nobody"; exit 1; }
        echo "as nobody: glibc $build: $(echo "$out" | grep max_bytes)"
        last=$build
    done
    # A copy nobody may read is the install's fault, said as such, with
    # the path as it is (no bin/../ in it).
    copy=$(ls -d "$prefix"/lib*/statictls/sysroots/glibc-*-amd64 2>/dev/null | head -n 1)
    if [ -n "${last:-}" ] && [ -n "$copy" ]; then
        chmod 700 "$copy"
        out=$(cd / && TMPDIR=/tmp setpriv --reuid=65534 --regid=65534 --clear-groups \
              "$prefix/bin/statictls" limit --glibc "$(basename "$copy" -amd64 | sed 's/^glibc-//')" 2>&1) || true
        chmod 755 "$copy"
        real=$(cd "$copy" && pwd -P)
        echo "$out" | grep -q -F "the copy of its sysroot installed with statictls, $real/root, is not readable by this user" ||
            { echo "$out"; echo "FAIL: an unreadable installed copy not said as such"; exit 1; }
    fi
fi
ls "$tmp"/results/*/results.json
tail -n 1 "$tmp/report.txt"

"$cmake" -S "$src/examples/downstream" -B "$tmp/downstream" -DCMAKE_PREFIX_PATH="$prefix" \
    "-DFOO_LIBCS=$libcs" > "$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
grep "statictls 0.3" "$tmp/configure.log"
"$cmake" --build "$tmp/downstream" > "$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
cd "$tmp/downstream"
"$ctest" --output-on-failure
tests=$("$ctest" -N | sed -n 's/^Total Tests: //p')
[ "$tests" -ge 2 ] || { echo "FAIL: the example registered $tests tests"; exit 1; }
echo "PASS: installed, moved, and used by examples/downstream ($tests tests)"
