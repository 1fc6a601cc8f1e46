#!/bin/sh
# Downloads Debian's libc6, libc6-dev, linux-libc-dev and libgomp1 for each
# glibc release in glibc-suites.txt and unpacks them into a sysroot that
# CMake builds the probe and fixtures against.  The system's apt
# configuration is not touched: apt runs with a private sources list, state
# and cache under the cache directory.
#
#   scripts/fetch-glibc.sh [--arch amd64|arm64|i386] [--cache DIR] [VERSION...]
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

# apt-get or apt-cache with everything private to $apt_dir.
private_apt() {
    tool=$1
    shift
    "$tool" -q -o Dir::Etc::SourceList="$apt_dir/sources.list" \
        -o Dir::Etc::SourceParts=/nonexistent -o Dir::State="$apt_dir/state" \
        -o Dir::State::status="$apt_dir/status" -o Dir::Cache="$apt_dir/cache" \
        -o Debug::NoLocking=1 -o APT::Architecture="$arch" \
        -o APT::Architectures="$arch" -o APT::Sandbox::User=root "$@"
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
    apt_dir=$cache/apt/$suite-$arch
    mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial"
    : > "$apt_dir/status"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
        > "$apt_dir/sources.list"
    echo "glibc $version ($arch): downloading from $suite"
    if ! private_apt apt-get update > "$dest/apt.log" 2>&1 || grep -q NO_PUBKEY "$dest/apt.log"; then
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
    "$version"-*|"$version") ;;
    *) fail "$suite serves libc6 $got, not glibc $version; update glibc-suites.txt"
       return 1 ;;
    esac
    (cd "$dest/debs" && private_apt apt-get download $packages) >> "$dest/apt.log" 2>&1 \
        || { cat "$dest/apt.log" >&2; fail "apt-get download of $packages from $suite failed"; return 1; }
    for deb in "$dest"/debs/*.deb; do
        dpkg -x "$deb" "$dest/root"
    done
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
