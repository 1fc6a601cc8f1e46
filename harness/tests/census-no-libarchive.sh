#!/bin/sh
# census-no-libarchive.sh STATICTLS CENSUS_KIT
# libarchive is loaded only when a wheel is read: `--version` and a census
# of a plain library load none of it (LD_DEBUG=libs says what ld.so loads),
# a census of a wheel does.  Where libarchive cannot load (here: its file
# hidden under an empty one, in a user and mount namespace), a wheel is
# unreadable with a reason naming libarchive.so.13, and the census of a
# plain library still works.  Without unshare(1) or user namespaces that
# last part is skipped (77), saying so.
set -eu
statictls=$1 kit=$2
plain=$(dirname "$statictls")/fixtures/template-ie.so
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "$out"; echo "FAIL: $1"; exit 1; }

mkdir -p "$dir/w/pkg"
cp "$plain" "$dir/w/pkg/libie.so"
whl=$dir/ie-1.0-py3-none-linux_x86_64.whl
"$kit" zip "$whl" "$dir/w"

out=$(LD_DEBUG=libs "$statictls" --version 2>&1)
echo "$out" | grep -q "statictls " || fail "--version"
echo "$out" | grep -q "calling init: .*libarchive" && fail "--version loads libarchive"
set +e
out=$(LD_DEBUG=libs "$statictls" census "$plain" 2>&1); plain_rc=$?
set -e
echo "$out" | grep -q "^1 files, 1 ELF" || fail "census of a plain library"
echo "$out" | grep -q "calling init: .*libarchive" && fail "a census of no wheel loads libarchive"
set +e
out=$(LD_DEBUG=libs "$statictls" census "$whl" 2>&1)
set -e
echo "$out" | grep -q "^2 files, 1 ELF, .* 0 unreadable" || fail "census of a wheel"
echo "$out" | grep -q "$whl!/pkg/libie.so" || fail "the wheel's member"
lib=$(echo "$out" | sed -n 's/.*calling init: \(.*libarchive\.so[^ ]*\)$/\1/p' | head -n 1)
[ -n "$lib" ] || fail "a census of a wheel does not load libarchive"
lib=$(readlink -f "$lib")

# The same census with libarchive's file hidden.
if ! unshare -rm true 2>/dev/null; then
    echo "loads checked; unshare -rm is not allowed here, so the census without libarchive is not"
    exit 77
fi
set +e
out=$(unshare -rm sh -c 'mount --bind /dev/null "$1" && shift && "$@"' sh "$lib" \
    "$statictls" census "$whl" 2>&1)
set -e
echo "$out" | grep -q "unreadable: $whl: reading a wheel needs libarchive.so.13 (libarchive 3), which did not load: " ||
    fail "a wheel without libarchive"
set +e
out=$(unshare -rm sh -c 'mount --bind /dev/null "$1" && shift && "$@"' sh "$lib" \
    "$statictls" census "$plain" 2>&1); rc=$?
set -e
[ "$rc" = "$plain_rc" ] || fail "census of a plain library without libarchive exits $rc, not $plain_rc"
echo "$out" | grep -q "^1 files, 1 ELF" || fail "census of a plain library without libarchive"
echo "PASS"
