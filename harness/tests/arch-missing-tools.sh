#!/bin/sh
# arch-missing-tools.sh STATICTLS SOURCE_DIR CMAKE
# An architecture whose cross compiler or qemu-user is missing: configure
# marks its builds unbuildable with the reason cmake/StatictlsForeignTools.cmake
# gives (run here alone, as configure runs it, with the tool not found), and
# every request for such a build is a skip (77) naming the Debian package
# that brings it.  In a copy of the program with its parts and no builds.
set -eu
statictls=$1 src=$2 cmake=$3
parts=$(dirname "$statictls")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$statictls" "$parts/statictls-probe" "$dir/"
cp -r "$parts/fixtures" "$dir/"
# reason ARCH TRIPLET QEMU GCC QEMU_PATH: what configure writes.
reason() {
    cat > "$dir/reason.cmake" <<CMAKE
include("$src/cmake/StatictlsForeignTools.cmake")
statictls_foreign_missing(why $1 $2 $3 "$4" "$5")
message("\${why}")
CMAKE
    "$cmake" -P "$dir/reason.cmake" 2>&1
}
expect() { # expect CODE REGEX ARGS...
    code=$1 regex=$2
    shift 2
    rc=0
    out=$("$dir/statictls" "$@" 2>&1) || rc=$?
    echo "statictls $*: exit $rc: $out"
    [ "$rc" -eq "$code" ] || { echo "FAIL: expected exit $code"; exit 1; }
    echo "$out" | grep -Eq -- "$regex" || { echo "FAIL: expected /$regex/"; exit 1; }
}
# Both found: no reason.
[ -z "$(reason s390x s390x-linux-gnu qemu-s390x /usr/bin/gcc /usr/bin/qemu)" ] ||
    { echo "FAIL: a reason with both tools found"; exit 1; }
while read -r arch triplet qemu gcc qemu_path want; do
    why=$(reason "$arch" "$triplet" "$qemu" "$gcc" "$qemu_path")
    echo "$arch: $why"
    mkdir -p "$dir/glibc-2.36-$arch"
    echo "$why" > "$dir/glibc-2.36-$arch/unbuildable"
    expect 77 "glibc 2.36-$arch is not built here: .*apt-get install $want," limit --glibc "2.36-$arch"
    expect 77 "apt-get install $want," run --glibc "2.36-$arch" "$src/cases/ld-audit.case"
done <<TABLE
armhf arm-linux-gnueabihf qemu-arm STATICTLS_armhf_GCC-NOTFOUND /usr/bin/qemu-arm gcc-arm-linux-gnueabihf
ppc64el powerpc64le-linux-gnu qemu-ppc64le /usr/bin/gcc STATICTLS_QEMU_ppc64el-NOTFOUND qemu-user
s390x s390x-linux-gnu qemu-s390x STATICTLS_s390x_GCC-NOTFOUND NOTFOUND gcc-s390x-linux-gnu qemu-user
riscv64 riscv64-linux-gnu qemu-riscv64 STATICTLS_riscv64_GCC-NOTFOUND STATICTLS_QEMU_riscv64-NOTFOUND gcc-riscv64-linux-gnu qemu-user
TABLE
echo "PASS"
