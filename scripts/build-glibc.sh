#!/bin/sh
# Builds an upstream glibc release for x86_64 and installs it into the cache
# as a self-contained tree for --libc-tree (lib/, include/ with the host's
# kernel headers copied in).
#
#   scripts/build-glibc.sh [--cache DIR] [--force] [--jobs N] VERSION [SOURCE]
#
# SOURCE is a glibc-VERSION.tar.* or an unpacked source directory (never
# modified: a copy is patched).  Without it, the script downloads
# https://ftp.gnu.org/gnu/glibc/glibc-VERSION.tar.xz, which needs network
# access; offline, pass a tarball or a checkout (git archive of the tag
# glibc-VERSION works).  The result is DIR/glibc-VERSION-upstream-x86_64/
# (DIR defaults to $STATICTLS_CACHE, else ~/.cache/statictls) holding tree/,
# version, build.log and, written last, complete; a complete tree is reused
# unless --force.  Needs gcc, make, GNU awk (gawk) and linux-libc-dev.
# Exit status: 0 built or cached, 1 build failed, 2 usage.
#
# Facts this relies on (tested with 2.17 and 2.21, Debian 12's gcc 12,
# binutils 2.40 and make 4.3; each took about 9 CPU minutes, 25 minutes on 2
# busy cores, and gives a tree of about 50 MB; the build dir is removed, only
# glibc's own test suite would need it):
# - The tree is not relocatable (libc.so is a linker script with absolute
#   paths; ld.so searches PREFIX/lib), so the prefix is tree/ itself and the
#   `complete` marker, not a rename, says the tree is whole.  A failed build
#   removes everything but build.log.
# - The prefix must never be the host's /usr: glibc bug 15711 (fixed in 2.18)
#   makes a plain 2.17 `make` install PREFIX/include/stdc-predef.h while
#   building.  We also apply the 2.18 fix (-ffreestanding) to the copy.
# - 2.17's configure rejects gcc >= 10 and make 4.x by version number only.
# - gcc >= 10 defaults to -fno-common, which old glibc needs off (-fcommon);
#   with -fcommon binutils 2.40 rejects the versioned alias of 2.17's
#   uninitialised _obstack_compat, so it is initialised to 0 as in 2.21.
# - Debian's gcc defaults to PIE, which these releases predate: their own
#   programs link against a non-PIC crt1.o (-fno-pie -no-pie).
# - 2.21 builds with -Werror by default; newer gcc warns more.
# - Programs built against the tree: gcc -nostdinc -isystem $(gcc
#   -print-file-name=include) -isystem TREE/include -B TREE/lib -L TREE/lib
#   -Wl,-rpath,TREE/lib -Wl,--dynamic-linker=TREE/lib/ld-linux-x86-64.so.2.
#   The interpreter matters: 2.17's ld.so run explicitly on a gcc-12 PIE
#   program crashes (copy relocation of stdout); -no-pie also avoids it.
# shellcheck disable=SC2016  # the seds below write $(CC) and $ac_... literally
set -eu

cache=${STATICTLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/statictls}
force=no
jobs=2

usage() { sed -n '2,16p' "$0"; exit "${1:-0}"; }
die() { echo "build-glibc: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
    --cache) cache=${2:?--cache needs a value}; shift 2 ;;
    --force) force=yes; shift ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
    -h|--help) usage 0 ;;
    -*) echo "build-glibc: unknown option $1" >&2; usage 2 >&2 ;;
    *) break ;;
    esac
done
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage 2 >&2; fi
version=$1
source=${2:-}
case $version in
2.[0-9]*) ;;
*) echo "build-glibc: $version is not a glibc version (e.g. 2.17)" >&2; exit 2 ;;
esac
[ -z "$source" ] || [ -e "$source" ] || { echo "build-glibc: no such SOURCE: $source" >&2; exit 2; }
[ -z "$source" ] || source=$(realpath "$source")

mkdir -p "$cache"
dest=$(realpath "$cache")/glibc-$version-upstream-x86_64
tree=$dest/tree
work=$dest/work
log=$dest/build.log
case $tree in
/|/usr|/usr/*) die "refusing to install into $tree" ;;
esac
if [ -f "$dest/complete" ] && [ $force = no ]; then
    echo "glibc $version (upstream, x86_64): cached in $tree"
    exit 0
fi
command -v gawk > /dev/null || die "glibc's configure needs GNU awk: apt-get install gawk"
[ -d /usr/include/linux ] || die "kernel headers missing: apt-get install linux-libc-dev"

rm -rf "$dest"
mkdir -p "$work/src" "$work/build"
# On any failure keep only the log; without `complete` the next run starts over.
cleanup() {
    rc=$?
    trap - EXIT
    if [ $rc -ne 0 ]; then
        rm -rf "$work" "$tree"
        echo "build-glibc: failed, see $log" >&2
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
: > "$log"

if [ -z "$source" ]; then
    url=https://ftp.gnu.org/gnu/glibc/glibc-$version.tar.xz
    echo "glibc $version: downloading $url"
    source=$work/glibc-$version.tar.xz
    if ! { curl -fsSL -o "$source" "$url" || wget -q -O "$source" "$url"; } >> "$log" 2>&1; then
        die "could not download $url; pass glibc-$version.tar.xz or an unpacked source directory as SOURCE"
    fi
fi
echo "glibc $version: preparing source from $source"
if [ -d "$source" ]; then
    (cd "$source" && tar -cf - --exclude=.git .) | tar -xf - -C "$work/src"
else
    tar -xf "$source" -C "$work/src" --strip-components=1
fi
src=$work/src
grep -q "VERSION \"$version\"" "$src/version.h" 2>/dev/null \
    || die "$source is not glibc $version (see its version.h)"

# Old releases vs. gcc 12 / make 4.3 / binutils 2.40, see the header.  Each
# sed is a no-op where the release is already fixed.
sed -i 's/\(\*) ac_prog_version="\$ac_prog_version, bad"; ac_verc_fail=\)yes/\1no/' \
    "$src/configure"
sed -i 's/^struct obstack \*_obstack_compat;/struct obstack *_obstack_compat = 0;/' \
    "$src/malloc/obstack.c"
sed -i 's/\$(CC) -E -MD/$(CC) -ffreestanding -E -MD/' "$src/sysdeps/unix/sysv/linux/Makefile"
# binutils >= 2.29 rejects a 64-bit immediate in THREAD_SETMEM's movq ("nr"):
# allow only sign-extended 32-bit immediates ("er"), as later glibc does.
for f in "$src"/nptl/sysdeps/x86_64/tls.h "$src"/sysdeps/x86_64/nptl/tls.h; do
    [ ! -f "$f" ] || sed -i 's/IMM_MODE (\((uint64_t) cast_to_integer (value)\))/"er" (\1)/' "$f"
done
# Without math/auto-libm-test-out (a git mirror may lack this large file) the
# test-only libm-test.c cannot be generated; don't make every build need it.
[ -f "$src/math/auto-libm-test-out" ] \
    || sed -i '/^before-compile += $(objpfx)libm-test.c/d' "$src/math/Makefile"

# The host's kernel headers (asm/ is under x86_64-linux-gnu/ on Debian), on
# their own: glibc is built against them and the tree gets a copy.
mkdir "$work/kernel-headers"
for d in linux asm-generic asm; do
    from=/usr/include/$d
    [ -d "$from" ] || from=/usr/include/x86_64-linux-gnu/$d
    cp -RL "$from" "$work/kernel-headers/"
done

echo "glibc $version: configuring and building (log: $log)"
cd "$work/build"
{
    "$src/configure" --prefix="$tree" --with-headers="$work/kernel-headers" \
        --disable-werror --disable-profile --without-selinux --without-gd \
        CC="gcc -fno-pie -no-pie" CFLAGS="-O2 -fcommon"
    nice -n 19 make -j"$jobs"
    nice -n 19 make -j"$jobs" install
} >> "$log" 2>&1
cp -R "$work"/kernel-headers/* "$tree/include/"
cd "$dest"
rm -rf "$work"
echo "$version" > "$dest/version"
touch "$dest/complete"
echo "glibc $version (upstream, x86_64): installed in $tree"
