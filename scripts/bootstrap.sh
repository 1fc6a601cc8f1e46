#!/bin/sh
# Installs what statictls needs (Debian/Ubuntu, as root, only what is
# missing), then configures and builds into build/.  Safe to run again.
set -eu
cd "$(dirname "$0")/.."

need=""
for pkg in gcc cmake make pkg-config libcmocka-dev libelf-dev libgomp1; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need="$need $pkg"
done
if [ -n "$need" ]; then
    echo "bootstrap: installing$need"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
