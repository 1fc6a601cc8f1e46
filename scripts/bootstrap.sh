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

need=""
# The cross compilers and qemu-user: the aarch64 and i386 tests
# (cmake/foreign-builds.cmake); musl-tools: the musl tests (cmake/musl-build.cmake);
# libarchive-dev: census reads wheels (zip archives) with it.
for pkg in gcc cmake make pkg-config libcmocka-dev libelf-dev libarchive-dev libgomp1 binutils \
           qemu-user gcc-aarch64-linux-gnu gcc-i686-linux-gnu musl-tools; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need="$need $pkg"
done
if [ -n "$need" ]; then
    echo "bootstrap: installing$need"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTATICTLS_FETCH_GLIBC="${STATICTLS_FETCH_GLIBC:-ON}" >/dev/null
cmake --build "$build" -j"$(nproc)"
