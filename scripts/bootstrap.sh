#!/bin/sh
# Installs what statictls needs (Debian/Ubuntu, as root, only what is
# missing), fetches the glibc sysroots (scripts/fetch-glibc.sh, cached in
# ~/.cache/statictls), then configures and builds.  Safe to run again.
#
#   scripts/bootstrap.sh [BUILD_DIR]     (default: build/)
# STATICTLS_FETCH_GLIBC=OFF skips the sysroots; their tests then skip.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}
need=""
# The cross compilers and qemu-user: the aarch64 and i386 tests
# (cmake/foreign-builds.cmake); musl-tools: the musl tests (cmake/musl-build.cmake).
for pkg in gcc cmake make pkg-config libcmocka-dev libelf-dev libgomp1 binutils \
           qemu-user gcc-aarch64-linux-gnu gcc-i686-linux-gnu musl-tools; do
    installed "$pkg" || need="$need $pkg"
done
# clang with libFuzzer: the fuzz tests (harness/tests/fuzz/), where the
# release has libclang-rt-dev (Debian 12 on); without them they are skipped.
optional=""
for pkg in clang libclang-rt-dev; do
    installed "$pkg" || optional="$optional $pkg"
done
if [ -n "$need$optional" ]; then
    apt-get update -qq
fi
if [ -n "$need" ]; then
    echo "bootstrap: installing$need"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
if [ -n "$optional" ] && apt-cache show $optional >/dev/null 2>&1; then
    echo "bootstrap: installing$optional (the fuzz tests)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $optional >/dev/null
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTATICTLS_FETCH_GLIBC="${STATICTLS_FETCH_GLIBC:-ON}" >/dev/null
cmake --build "$build" -j"$(nproc)"
