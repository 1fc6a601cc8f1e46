#!/bin/sh
# installed-messages.sh BUILD CMAKE
# An installed copy names what it has, never the source tree's scripts/ or
# docs/: `cmake --install` into a temporary prefix, then every command's
# --help, the man page, and the errors a user meets (a build that is not in
# the install, one whose marker says why, one whose sysroot is gone, a
# --libc-tree that is not there, a sweep with no glibc build, bad operands
# of each command) are read for "scripts/" and "docs/".  The messages about
# fetching must name the install's own fetch-glibc.sh.
set -eu
build=$1 cmake=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$cmake" --install "$build" --prefix "$tmp/x" > "$tmp/install.log"
x=$tmp/x
st=$x/bin/statictls
parts=$x/lib/statictls
[ -d "$parts" ] || parts=$(dirname "$(find "$x" -name statictls-probe | head -n 1)")
fetch=$(find "$x" -name fetch-glibc.sh | head -n 1)
fetch=$(cd "$(dirname "$fetch")" && pwd -P)/fetch-glibc.sh
[ -n "$fetch" ] || fail "the install has no fetch-glibc.sh"
out=$tmp/said
: > "$out"
# said CMD...: its stdout and stderr, whatever it exits with, kept.
said() {
    { echo "\$ statictls $*"; "$st" "$@" 2>&1 < /dev/null || echo "(exit $?)"; } >> "$out"
}

said --help
for c in $("$st" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
    said help "$c"
done
# The builds: one removed, one whose marker says why it is absent, one
# whose sysroot is gone (each only where the install has it).
said budget --glibc 9.99
rm -rf "$parts/glibc-2.31"
said budget --glibc 2.31
said limit --glibc 2.31 --allow-missing
if [ -d "$parts/glibc-2.36-aarch64" ]; then
    rm -rf "$parts/glibc-2.36-aarch64"/*
    # As cmake/glibc-sysroots.cmake writes it where the fetch failed.
    echo "its sysroot could not be fetched (scripts/fetch-glibc.sh failed); run \`scripts/fetch-glibc.sh --arch arm64 2.36\`, then re-run cmake and build" \
        > "$parts/glibc-2.36-aarch64/unfetched"
    said budget --glibc 2.36-aarch64
fi
if [ -f "$parts/glibc-2.41/root" ]; then
    echo "$tmp/gone/glibc-2.41-amd64/root" > "$parts/glibc-2.41/root"
    said budget --glibc 2.41
fi
said budget --libc-tree "$tmp/no-tree"
for tree in "$parts"/tree-*; do # as cmake/libc-trees.cmake writes it where the tree is not built
    [ -d "$tree" ] || continue
    echo "the glibc 2.17 tree is not built: run \`scripts/build-glibc.sh 2.17 SOURCE\`, then re-run cmake and build" \
        > "$tree/unfetched"
    said budget --libc-tree "$(cat "$tree/tree")"
    break
done
said load --json "$tmp/no-lib.so"
said run "$tmp/no.case"
said census "$tmp/no-dir"
said report --cases "$tmp/no-cases" --results "$tmp/results"
said trace -- true
said replay "$tmp/no.trace"
said doctor -- "$tmp/no-command"
said headroom -- "$tmp/no-command"
said fuzz --glibc musl
said sweep --frobnicate
# sweep with no glibc build in the install says how to fetch one.
rm -rf "$parts"/glibc-* "$parts/musl"
said sweep --json
grep -q "not in this install: fetch its sysroot with \`$fetch" "$out" ||
    { cat "$out"; fail "the message about a build not in the install does not name $fetch"; }
grep -q "no glibc sysroot is built here ($fetch)" "$out" ||
    { cat "$out"; fail "sweep does not name $fetch"; }
if grep -n -e 'scripts/' -e 'docs/' "$out"; then
    fail "an installed copy's messages name scripts/ or docs/ (above)"
fi
man=$(find "$x" -name statictls.1 | head -n 1)
[ -n "$man" ] || fail "no man page installed"
if grep -n -e 'scripts/' -e 'docs/' "$man"; then
    fail "the installed man page names scripts/ or docs/ (above)"
fi
echo "PASS: $(grep -c '^\$ statictls' "$out") commands of an installed copy name neither scripts/ nor docs/"
