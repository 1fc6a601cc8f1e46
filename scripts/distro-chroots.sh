#!/bin/sh
# Proves the README's test command on Debian 11, 12 and 13: debootstraps
# each into the cache, copies this checkout's committed tree in, and runs
# the test command inside as root, which installs that distro's own
# toolchain with its apt.  The glibc sysroots are bind-mounted from the
# host's cache at the same path (they are data the build points at), so
# nothing is fetched twice.  Output: results/distros/<suite>.txt.
# Not part of the test command: it downloads a few hundred MB.
#
#   scripts/distro-chroots.sh [SUITE...]     (default: bullseye bookworm trixie)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cache=${STATICTLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/statictls}
mirror=${STATICTLS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ $# -gt 0 ] || set -- bullseye bookworm trixie
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
"$src/scripts/fetch-glibc.sh" --cache "$cache"
mkdir -p "$src/results/distros"

status=0
for suite in "$@"; do
    root=$cache/chroot-$suite
    if [ ! -f "$root/.complete" ]; then
        rm -rf "$root"
        echo "== debootstrap $suite"
        debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$cache/debootstrap-$suite.log" 2>&1 ||
            { tail "$cache/debootstrap-$suite.log"; status=1; continue; }
        touch "$root/.complete"
    fi
    rm -rf "$root/src" && mkdir -p "$root/src" "$root$cache"
    git -C "$src" archive HEAD | tar -x -C "$root/src"
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    mount --bind "$cache" "$root$cache"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    out=$src/results/distros/$suite.txt
    echo "== $suite: the test command, inside the chroot"
    # The same steps as .ci/run and the Debian jobs of .github/workflows/ci.yml.
    if chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        STATICTLS_CACHE="$cache" sh -c \
        'cd /src && scripts/bootstrap.sh >/tmp/bootstrap.log 2>&1 || { tail -40 /tmp/bootstrap.log; exit 1; };
         echo "$(. /etc/os-release; echo "$PRETTY_NAME"); $(ldd --version | head -n1); $(cmake --version | head -n1); $(gcc --version | head -n1)";
         cd build && ../scripts/ctest-report.sh' > "$out" 2>&1; then
        echo "$suite: passed ($(grep 'tests passed' "$out"))"
    else
        echo "$suite: FAILED, see $out"
        status=1
    fi
    umount "$root$cache" "$root/dev" "$root/proc"
done
# The summary: each chroot's distro, toolchain and ctest verdict.
{
    echo "# The test command inside Debian chroots"
    echo
    echo "Written by scripts/distro-chroots.sh; each <suite>.txt is that chroot's whole output."
    echo
    echo "| suite | distro, glibc, cmake, gcc | ctest |"
    echo "|---|---|---|"
    for f in "$src"/results/distros/*.txt; do
        suite=$(basename "$f" .txt)
        echo "| $suite | $(grep -m1 '^Debian' "$f" || echo '-') | $(grep -m1 'tests passed' "$f" || echo 'did not run') |"
    done
} > "$src/results/distros/README.md"
exit $status
