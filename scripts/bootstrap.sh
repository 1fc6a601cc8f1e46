#!/bin/sh
# Installs what statictls needs (Debian/Ubuntu, only what is missing; with
# sudo when not root), fetches the glibc sysroots (scripts/fetch-glibc.sh,
# cached in ~/.cache/statictls), then configures and builds.  Safe to run
# again.
#
#   scripts/bootstrap.sh [--no-tests] [--prefix P] [--arches LIST] [BUILD_DIR]   (default: build/)
#
# --no-tests   without statictls's own tests: no cmocka, no python3-jsonschema,
#              python3-yaml or dpkg-dev
#              (-DBUILD_TESTING=OFF); what a CI job that only uses it needs
# --prefix P   then install into P (cmake --install): P/bin/statictls and
#              P/lib/cmake/statictls for find_package(statictls), with a copy
#              of each sysroot (P/lib/statictls/sysroots/), so an install
#              made by root works for every user
# --arches LIST  the other architectures to build for, of "aarch64 i386 armhf
#              ppc64el s390x riscv64" (the default; STATICTLS_ARCHES sets it
#              too): only their cross compilers (and, for all but i386,
#              qemu-user) are installed; "" builds for this machine's alone
# STATICTLS_FETCH_GLIBC=OFF skips the sysroots; their tests then skip.
# STATICTLS_GLIBC_RELEASES="2.36 2.41" fetches and builds only those.
set -eu
cd "$(dirname "$0")/.."
all_arches="aarch64 i386 armhf ppc64el s390x riscv64"
tests=ON prefix="" arches=${STATICTLS_ARCHES-$all_arches}
while [ $# -gt 0 ]; do
    case $1 in
    --no-tests) tests=OFF; shift ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --arches)
        [ $# -ge 2 ] || { echo "bootstrap: --arches needs a list (\"$all_arches\", or \"\")" >&2; exit 2; }
        arches=$2; shift 2 ;;
    -*) echo "bootstrap: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
build=${1:-build}
fetch=${STATICTLS_FETCH_GLIBC:-ON}

# The cross compilers and qemu-user: the other architectures' tests
# (cmake/foreign-builds.cmake); musl-tools: the musl tests
# (cmake/musl-build.cmake); debian-archive-keyring: the sysroot fetch
# (Ubuntu lacks it by default); libarchive-dev and zlib1g-dev: census reads
# wheels (zip).
packages="gcc cmake make pkg-config libelf-dev libjansson-dev libarchive-dev zlib1g-dev libgomp1 binutils
          musl-tools"
for arch in $arches; do
    case $arch in
    aarch64) packages="$packages qemu-user gcc-aarch64-linux-gnu" ;;
    i386) packages="$packages gcc-i686-linux-gnu" ;;
    armhf) packages="$packages qemu-user gcc-arm-linux-gnueabihf" ;;
    ppc64el) packages="$packages qemu-user gcc-powerpc64le-linux-gnu" ;;
    s390x) packages="$packages qemu-user gcc-s390x-linux-gnu" ;;
    riscv64) packages="$packages qemu-user gcc-riscv64-linux-gnu" ;;
    *) echo "bootstrap: --arches: unknown architecture $arch ($all_arches)" >&2; exit 2 ;;
    esac
done
# python3-yaml: the action's check; dpkg-dev: the .deb's test (dpkg-shlibdeps).
[ "$tests" = OFF ] || packages="$packages libcmocka-dev python3-jsonschema python3-yaml dpkg-dev"
[ "$fetch" = OFF ] || packages="$packages debian-archive-keyring"
# clang with libFuzzer: the fuzz tests (harness/tests/fuzz/), installed
# where the release has libclang-rt-dev (Debian 12 on); elsewhere they are
# not registered, and cmake says so.
optional=""
[ "$tests" = OFF ] || optional="clang libclang-rt-dev"
if command -v dpkg-query >/dev/null 2>&1; then
    installed() {
        dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
    }
    need="" want=""
    for pkg in $packages; do
        installed "$pkg" || need="$need $pkg"
    done
    for pkg in $optional; do
        installed "$pkg" || want="$want $pkg"
    done
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    [ -z "$need$want" ] || $sudo apt-get update -qq
    if [ -n "$need" ]; then
        echo "bootstrap: installing$need"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null
    fi
    if [ -n "$want" ] && apt-cache show $want >/dev/null 2>&1; then
        echo "bootstrap: installing$want (the fuzz tests)"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $want >/dev/null
    fi
else
    echo "bootstrap: no dpkg here; install the equivalents of:" $packages
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING="$tests" \
    -DSTATICTLS_FETCH_GLIBC="$fetch" >/dev/null
cmake --build "$build" -j"$(nproc)"
[ -z "$prefix" ] || cmake --install "$build" --prefix "$prefix"
