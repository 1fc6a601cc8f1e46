#!/bin/sh
# check-symbol-versions.sh BUILD_DIR VERSION
# A build against glibc VERSION's sysroot must not need a GLIBC_x.y symbol
# version newer than VERSION, or it would not run on that glibc: objdump -T
# lists what the probe and every fixture import ($OBJDUMP: another arch's).
set -eu
dir=$1 version=${2%-*}
objdump=${OBJDUMP:-objdump}
if [ ! -x "$dir/statictls-probe" ]; then
    # a --libc-tree build says why (cmake/libc-trees.cmake)
    why=$(cat "$dir/unfetched" "$dir/unbuildable" 2>/dev/null || echo "run scripts/fetch-glibc.sh $version, then cmake")
    echo "glibc $2 is not built in $dir: $why"
    exit 77
fi
status=0
for f in "$dir/statictls-probe" "$dir"/fixtures/*.so; do
    newest=$("$objdump" -T "$f" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
    highest=$(printf '%s\n%s\n' "${newest:-0}" "$version" | sort -V | tail -n1)
    if [ "$highest" != "$version" ]; then
        echo "FAIL: $f needs GLIBC_$newest, newer than glibc $version"
        status=1
    else
        echo "ok: $f needs at most GLIBC_${newest:-none}"
    fi
done
exit $status
