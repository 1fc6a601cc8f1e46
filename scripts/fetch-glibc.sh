#!/bin/sh
# Downloads Debian's libc6, libc6-dev, linux-libc-dev and libgomp1 for each
# glibc release in glibc-suites.txt and unpacks them into a sysroot that
# CMake builds the probe and fixtures against.  The system's apt
# configuration is not touched: apt runs with a private sources list, state
# and cache under the cache directory.
#
#   scripts/fetch-glibc.sh [--arch amd64|arm64|i386|armhf|ppc64el|s390x|riscv64]
#                          [--cache DIR] [VERSION...]
#
# Where the suite does not carry the architecture (Debian 11 LTS keeps only
# amd64, arm64, armhf and i386; riscv64 is a release architecture from
# Debian 13) or its packages cannot be downloaded, the same glibc comes from
# Debian's cross-toolchain packages of that suite instead
# (libc6-ARCH-cross, libc6-dev-ARCH-cross, linux-libc-dev-ARCH-cross,
# libgomp1-ARCH-cross, architecture all: the same glibc source, built for
# the cross compilers), laid out as the multiarch packages are; its
# debian-version file then names that package's version (2.31-9cross4).
#
# VERSION: a release of glibc-suites.txt (default: all of them).  Sysroots
# land in DIR/glibc-VERSION-ARCH/root (DIR defaults to $STATICTLS_CACHE,
# else ~/.cache/statictls); a finished one is reused.  One that cannot be
# fetched leaves DIR/glibc-VERSION-ARCH/failed saying why (CMake passes it
# on to the skip).  Needs Debian's archive keyring
# (/usr/share/keyrings/debian-archive-keyring.gpg, package
# debian-archive-keyring; Ubuntu ships it too, but an old one may lack the
# keys of newer suites: then those releases fail, saying so).
# Exit status: 0 all fetched, 1 some could not be fetched, 2 usage.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
arch=amd64
cache=${STATICTLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/statictls}
# The Debian mirror this machine's apt already uses (a CI runner may reach
# only that one), else deb.debian.org; STATICTLS_DEBIAN_MIRROR overrides.
system_mirror() {
    {
        sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
        sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list \
            /etc/apt/sources.list.d/*.list 2>/dev/null
    } | tr ' ' '\n' | grep -E '/debian/?$' | head -n 1
}
mirror=${STATICTLS_DEBIAN_MIRROR:-$(system_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
packages="libc6 libc6-dev linux-libc-dev libgomp1"

while [ $# -gt 0 ]; do
    case $1 in
    --arch) arch=${2:?--arch needs a value}; shift 2 ;;
    --cache) cache=${2:?--cache needs a value}; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "fetch-glibc: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done

# column N of the line for glibc $1 in glibc-suites.txt
suite_column() {
    awk -v v="$1" -v n="$2" '$1 == v { print $n }' "$here/glibc-suites.txt"
}

# apt-get or apt-cache with everything private to $apt_dir, for packages
# of $apt_arch.
private_apt() {
    tool=$1
    shift
    "$tool" -q -o Dir::Etc::SourceList="$apt_dir/sources.list" \
        -o Dir::Etc::SourceParts=/nonexistent -o Dir::State="$apt_dir/state" \
        -o Dir::State::status="$apt_dir/status" -o Dir::Cache="$apt_dir/cache" \
        -o Debug::NoLocking=1 -o APT::Architecture="$apt_arch" \
        -o APT::Architectures="$apt_arch" -o APT::Sandbox::User=root "$@"
}

# The directory under /usr of Debian's cross packages for $arch.
cross_triplet() {
    case $1 in
    amd64) echo x86_64-linux-gnu ;;
    arm64) echo aarch64-linux-gnu ;;
    i386) echo i686-linux-gnu ;;
    armhf) echo arm-linux-gnueabihf ;;
    ppc64el) echo powerpc64le-linux-gnu ;;
    *) echo "$1-linux-gnu" ;;
    esac
}

# The multiarch triplet the sysroot's users look in (lib/TRIPLET).
multiarch_triplet() {
    case $1 in
    i386) echo i386-linux-gnu ;;
    *) cross_triplet "$1" ;;
    esac
}

# apt's index of $suite for $apt_arch, in $apt_dir: false (with
# $dest/apt.log saying why) when it cannot be had.
suite_index() {
    mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial"
    : > "$apt_dir/status"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
        > "$apt_dir/sources.list"
    private_apt apt-get update >> "$dest/apt.log" 2>&1 && ! grep -q NO_PUBKEY "$dest/apt.log"
}

# The cross packages of glibc $version for $arch from $suite, unpacked and
# laid out as the multiarch ones into $dest/root; false when they cannot be.
fetch_cross() {
    apt_arch=amd64 # the cross packages are "all": any index has them
    apt_dir=$cache/apt/$suite-amd64
    suite_index || return 1
    cross=$(cross_triplet "$arch") multi=$(multiarch_triplet "$arch")
    got=$(private_apt apt-cache policy "libc6-$arch-cross" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    case $got in
    "$version"-*) ;;
    *) echo "$suite serves libc6-$arch-cross ${got:-(none)}, not glibc $version" >> "$dest/apt.log"
       return 1 ;;
    esac
    rm -rf "$dest/debs" "$dest/root"
    mkdir -p "$dest/debs"
    (cd "$dest/debs" && private_apt apt-get download "libc6-$arch-cross" "libc6-dev-$arch-cross" \
        "linux-libc-dev-$arch-cross" "libgomp1-$arch-cross") >> "$dest/apt.log" 2>&1 || return 1
    for deb in "$dest"/debs/*.deb; do
        dpkg -x "$deb" "$dest/root"
    done
    # /usr/CROSS/{lib,include} as lib/MULTI, usr/lib/MULTI and
    # usr/include/MULTI; ld.so where the multiarch packages put it.  The
    # linker scripts name /usr/CROSS/lib, which --sysroot finds as it is.
    r=$dest/root
    mkdir -p "$r/lib" "$r/lib64" "$r/usr/lib" "$r/usr/include"
    ln -s "../usr/$cross/lib" "$r/lib/$multi"
    ln -s "../$cross/lib" "$r/usr/lib/$multi"
    ln -s "../$cross/include" "$r/usr/include/$multi"
    for ldso in "$r/usr/$cross"/lib/ld*.so.[0-9]; do
        [ -e "$ldso" ] || continue
        ln -sf "../usr/$cross/lib/${ldso##*/}" "$r/lib/${ldso##*/}"
        ln -sf "../usr/$cross/lib/${ldso##*/}" "$r/lib64/${ldso##*/}"
    done
    unpacked=yes
    echo "glibc $version ($arch): the cross packages libc6-$arch-cross $got of $suite"
}

# dpkg -x keeps absolute symlinks (libm.so -> /lib/...); inside a sysroot
# they must point into it.  Merged-/usr packages need /lib -> usr/lib too.
fix_links() {
    root=$1
    for d in lib lib64; do
        if [ ! -e "$root/$d" ] && [ -d "$root/usr/$d" ]; then
            ln -s "usr/$d" "$root/$d"
        fi
    done
    find "$root" -type l | while read -r link; do
        target=$(readlink "$link")
        case $target in
        /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link" ;;
        esac
    done
}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# fail REASON: says why this release was not fetched, here and in $dest/failed.
fail() {
    echo "fetch-glibc: glibc $version ($arch): $1" >&2
    echo "$1" > "$dest/failed"
    return 1
}

fetch_one() {
    version=$1
    suite=$(suite_column "$version" 2)
    if [ -z "$suite" ]; then
        echo "fetch-glibc: $version is not in $here/glibc-suites.txt (known: $(awk '!/^#/ && NF { printf "%s ", $1 }' "$here/glibc-suites.txt"))" >&2
        return 1
    fi
    dest=$cache/glibc-$version-$arch
    if [ -f "$dest/complete" ]; then
        echo "glibc $version ($arch): cached in $dest"
        return 0
    fi
    rm -rf "$dest"
    mkdir -p "$dest/debs"
    if [ ! -f "$keyring" ]; then
        fail "no Debian archive keyring ($keyring): install debian-archive-keyring"
        return 1
    fi
    apt_arch=$arch apt_dir=$cache/apt/$suite-$arch unpacked=""
    : > "$dest/apt.log"
    echo "glibc $version ($arch): downloading from $suite"
    if ! suite_index; then
        cat "$dest/apt.log" >&2
        if grep -q NO_PUBKEY "$dest/apt.log"; then
            fail "this machine's debian-archive-keyring lacks the key of Debian $suite (an older distro's keyring): install a newer debian-archive-keyring"
        else
            fail "apt-get update of Debian $suite from $mirror failed (no network to the archive?)"
        fi
        return 1
    fi
    got=$(private_apt apt-cache policy libc6 2>/dev/null | awk '/Candidate:/ { print $2 }')
    case $got in
    "$version"-*|"$version")
        if ! (cd "$dest/debs" && private_apt apt-get download $packages) >> "$dest/apt.log" 2>&1; then
            fetch_cross || { cat "$dest/apt.log" >&2; fail "apt-get download of $packages from $suite failed, and so did its libc6-$arch-cross"; return 1; }
        fi ;;
    "")
        fetch_cross || { fail "$suite carries no libc6 for $arch, nor libc6-$arch-cross of glibc $version"; return 1; } ;;
    *) fail "$suite serves libc6 $got, not glibc $version; update glibc-suites.txt"
       return 1 ;;
    esac
    if [ -z "$unpacked" ]; then
        for deb in "$dest"/debs/*.deb; do
            dpkg -x "$deb" "$dest/root"
        done
    fi
    fix_links "$dest/root"
    echo "$got" > "$dest/debian-version"
    suite_column "$version" 3 > "$dest/distro"
    rm -rf "$dest/debs"
    touch "$dest/complete"
    echo "glibc $version ($arch): Debian $got in $dest/root"
}

if [ $# -eq 0 ]; then
    set -- $(awk '!/^#/ && NF { print $1 }' "$here/glibc-suites.txt")
fi
status=0
for v in "$@"; do
    fetch_one "$v" || status=1
done
exit $status
