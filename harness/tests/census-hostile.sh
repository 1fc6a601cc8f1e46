#!/bin/sh
# census-hostile.sh STATICTLS FIXTURE
# A census of a directory holding junk, an empty file, a truncated ELF
# file, a symlink loop, a symlink to a file it already has and one good library:
# the good one is listed, the truncated one is named as unreadable, and
# nothing stops the census; it exits 1 as the good one does not fit.  An
# empty directory has nothing to sort, and fits.
set -eu
statictls=$1 fixture=$2
dir=$(mktemp -d)
trap 'chmod -R u+rwx "$dir"; rm -rf "$dir"' EXIT
printf 'not an ELF file\n' > "$dir/junk.so"
: > "$dir/empty.so"
head -c 100 "$fixture" > "$dir/truncated.so"
cp "$fixture" "$dir/good.so"
ln -s loop "$dir/loop"
mkdir "$dir/sub" && ln -s ../good.so "$dir/sub/link.so"
set +e
out=$("$statictls" census "$dir")
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || { echo "FAIL: exit $rc, expected 1 (does not fit)"; exit 1; }
echo "$out" | grep -q "^4 files, 2 ELF, 1 with TLS, 1 need static TLS, 1 unreadable" ||
    { echo "FAIL: counts"; exit 1; }
echo "$out" | grep -q "good.so$" || { echo "FAIL: good.so not listed"; exit 1; }
echo "$out" | grep -q "unreadable: malformed: .*truncated.so: truncated" ||
    { echo "FAIL: truncated.so not reported"; exit 1; }
# The template's 4096-byte alignment is above any static alignment.
echo "$out" | grep -q "host libc .*does not fit: .*good.so is aligned above" ||
    { echo "FAIL: the alignment verdict"; exit 1; }
mkdir "$dir/empty"
"$statictls" census "$dir/empty" | grep -q "^0 files, 0 ELF, 0 with TLS" || { echo "FAIL: empty"; exit 1; }
echo "PASS"
