#!/bin/sh
# strict-gate.sh STATICTLS
# A copy of the program with its parts but no libc builds (as a build
# configured without sysroots): a release asked for and not built is an
# error (2), a skip (77) with --allow-missing; one whose marker says it
# cannot be built here is a skip naming what brings it; a typo is an error
# either way.  The copy also shows the program finds its parts beside itself.
# Strict mode (--strict, STATICTLS_STRICT=1) makes every such skip exit 5,
# saying what was not checked where and why; a well-formed release this
# statictls does not know is skipped by --allow-missing like one not built;
# a sysroot that is gone and one this user cannot read say different things.
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
expect 2 "not a release this statictls builds.*ARCH in aarch64 i386 armhf ppc64el s390x riscv64.*built here: none" \
    limit --glibc 2.36-mips
expect 2 "no such build.*built here: none" limit --glibc 2.3l
mkdir "$dir/glibc-2.31-i386"
echo "no i686 cross compiler on this machine: apt-get install gcc-i686-linux-gnu" > "$dir/glibc-2.31-i386/unbuildable"
expect 77 "apt-get install gcc-i686-linux-gnu" limit --glibc 2.31-i386
expect 0 "max_bytes" limit
# strict: the same skips fail, naming the command, the build and the reason
expect 5 "strict: coverage lost: .statictls limit. on glibc 2.36 checked nothing: glibc 2.36 was not built" \
    limit --glibc 2.36 --allow-missing --strict
expect 5 "coverage lost: .statictls limit. on glibc 2.31-i386 checked nothing: .*gcc-i686-linux-gnu" \
    limit --glibc 2.31-i386 --strict
STATICTLS_STRICT=1 expect 5 "coverage lost: .statictls load libc.so.6. on glibc 2.31-i386" \
    load --glibc 2.31-i386 libc.so.6
STATICTLS_STRICT=0 expect 77 "gcc-i686-linux-gnu" limit --glibc 2.31-i386
expect 0 "max_bytes" limit --strict
# a release it does not know, well formed: a build not here
expect 2 "glibc 2.28: not a release this statictls builds.*--allow-missing" limit --glibc 2.28
expect 77 "not a release this statictls builds.*skipped: --allow-missing" limit --glibc 2.28 --allow-missing
expect 5 "coverage lost: .statictls limit. on glibc 2.28" limit --glibc 2.28 --allow-missing --strict
# a built release whose sysroot is gone, and one this user cannot read
mkdir "$dir/glibc-2.41"
cp "$src/statictls-probe" "$dir/glibc-2.41/"
echo "$dir/gone/root" > "$dir/glibc-2.41/root"
expect 77 "glibc 2.41 is built here, but its sysroot $dir/gone/root is gone \(No such file" \
    limit --glibc 2.41
expect 5 "coverage lost: .statictls limit. on glibc 2.41 checked nothing: .*is gone" \
    limit --glibc 2.41 --strict
run=
if [ "$(id -u)" = 0 ]; then # root reads everything: the reader is nobody
    command -v setpriv >/dev/null || { echo "root, and no setpriv to drop privileges"; exit 77; }
    run="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
chmod -R a+rX "$dir"
mkdir -p "$dir/private/home/root"
chmod 700 "$dir/private/home"
echo "$dir/private/home/root" > "$dir/glibc-2.41/root"
rc=0
out=$(TMPDIR=/tmp $run "$dir/statictls" limit --glibc 2.41 2>&1) || rc=$?
echo "as another user: exit $rc: $out"
[ "$rc" -eq 77 ] || { echo "FAIL: expected exit 77"; exit 1; }
echo "$out" | grep -q "its sysroot $dir/private/home/root is not readable by this user (uid [0-9]*: Permission denied).*STATICTLS_CACHE" ||
    { echo "FAIL: expected \"not readable by this user\""; exit 1; }
echo "PASS"
