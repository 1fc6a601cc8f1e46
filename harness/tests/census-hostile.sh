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
# The verdicts are for the objects' machine only: no aarch64 or i386 build
# judges an x86_64 library (the header names the machine).
echo "$out" | grep -q "^all [0-9]* static-TLS objects dlopen'ed into a fresh x86_64 process:" ||
    { echo "FAIL: the machine in the verdicts' header"; exit 1; }
if echo "$out" | grep -q "qemu-aarch64"; then echo "FAIL: an aarch64 verdict"; exit 1; fi
# A named path that is not there is the user's mistake: exit 2, naming it,
# before any probe runs.
set +e
bad=$("$statictls" census "$fixture" "$dir/no-such.so" 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] || { echo "FAIL: a missing path exits $rc, expected 2"; exit 1; }
echo "$bad" | grep -q "census: $dir/no-such.so: No such file or directory" ||
    { echo "FAIL: the missing path not named: $bad"; exit 1; }
if echo "$bad" | grep -q "fresh"; then echo "FAIL: measured despite a bad path"; exit 1; fi
echo "PASS"
