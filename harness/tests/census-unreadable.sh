#!/bin/sh
# census-unreadable.sh STATICTLS CENSUS_KIT
# A file the user cannot read is reported as unreadable (not as "not ELF"),
# a FIFO named on the command line or met in the walk neither blocks the
# census nor counts as a file, and the readable library is still judged.
# Run as an ordinary user (root reads everything: then as nobody, with
# setpriv; skipped where neither is possible).
set -eu
statictls=$1 kit=$2
run=
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || { echo "root, and no setpriv to drop privileges"; exit 77; }
    run="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
"$kit" fixture "$(dirname "$statictls")/fixtures/template-ie.so" "$dir/good.so" 100 8
cp "$dir/good.so" "$dir/secret.so"
chmod 000 "$dir/secret.so"
mkfifo "$dir/fifo"
chmod 644 "$dir/good.so" "$dir/fifo"
set +e
out=$(TMPDIR=/tmp $run "$statictls" census "$dir" "$dir/fifo" 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
echo "$out" | grep -q "unreadable: $dir/secret.so: Permission denied" || { echo "FAIL: secret.so"; exit 1; }
echo "$out" | grep -q "unreadable: $dir/fifo: not a regular file" || { echo "FAIL: fifo"; exit 1; }
echo "$out" | grep -q "^1 files, 1 ELF, 1 with TLS, 1 need static TLS, 2 unreadable" || { echo "FAIL: counts"; exit 1; }
echo "$out" | grep -q "host libc .*demand [0-9]* with padding.*: fits" || { echo "FAIL: verdict"; exit 1; }
echo "PASS"
