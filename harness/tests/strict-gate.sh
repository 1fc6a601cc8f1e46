#!/bin/sh
# strict-gate.sh STATICTLS
# A copy of the program with its parts but no libc builds (as a build
# configured without sysroots): a release asked for and not built is an
# error (2), a skip (77) with --allow-missing; one whose marker says it
# cannot be built here is a skip naming what brings it; a typo is an error
# either way.  The copy also shows the program finds its parts beside itself.
set -eu
statictls=$1
src=$(dirname "$statictls")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$statictls" "$src/statictls-probe" "$dir/"
cp -r "$src/fixtures" "$dir/"
expect() { # expect CODE REGEX ARGS...
    code=$1 regex=$2
    shift 2
    rc=0
    out=$("$dir/statictls" "$@" 2>&1) || rc=$?
    echo "statictls $*: exit $rc: $out"
    [ "$rc" -eq "$code" ] || { echo "FAIL: expected exit $code"; exit 1; }
    echo "$out" | grep -Eq -- "$regex" || { echo "FAIL: expected /$regex/"; exit 1; }
}
expect 2 "glibc 2.36 was not built with this statictls.*fetch-glibc.sh 2.36.*--allow-missing" limit --glibc 2.36
expect 77 "skipped: --allow-missing" limit --glibc 2.36 --allow-missing
expect 2 "fetch-glibc.sh --arch arm64 2.41" limit --glibc 2.41-aarch64
expect 2 "no such build" limit --glibc 2.3l
expect 2 "no such build" limit --glibc 2.3l --allow-missing
# Every architecture's build by name; one not configured says what brings it.
expect 2 "fetch-glibc.sh --arch ppc64el 2.36.*ppc64el also needs gcc-powerpc64le-linux-gnu and qemu-user" \
    limit --glibc 2.36-ppc64el
expect 2 "fetch-glibc.sh --arch armhf 2.31.*gcc-arm-linux-gnueabihf" limit --glibc 2.31-armhf
# An unknown build lists the builds here (none in this copy).
expect 2 "no such build.*ARCH in aarch64 i386 armhf ppc64el s390x riscv64.*built here: none" \
    limit --glibc 2.36-mips
mkdir "$dir/glibc-2.31-i386"
echo "no i686 cross compiler on this machine: apt-get install gcc-i686-linux-gnu" > "$dir/glibc-2.31-i386/unbuildable"
expect 77 "apt-get install gcc-i686-linux-gnu" limit --glibc 2.31-i386
expect 0 "max_bytes" limit
echo "PASS"
