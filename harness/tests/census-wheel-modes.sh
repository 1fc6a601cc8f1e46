#!/bin/sh
# census-wheel-modes.sh STATICTLS CENSUS_KIT
# A wheel member whose zip mode (external attributes) says symbolic link,
# character or block device, socket, FIFO or directory, while its name does
# not end in '/': pip writes it as a regular file holding its bytes
# (zipfile ignores the mode), so the census judges those bytes, made here
# with Python's zipfile:
# - a 4000-byte initial-exec block in such a member, stored or deflated,
#   does not fit (exit 1 with --policy), as in a regular member;
# - a symlink member larger than libarchive takes for a link's target
#   (libarchive then stops reading the archive) is judged, and so is the
#   member after it;
# - such a member compressed with bzip2 (zipfile reads it, the census only
#   where libarchive gives its bytes) is a problem and the census is not
#   judged (exit 5), never "fits";
# - MS-DOS attributes that say directory (made on Windows) are ignored too;
# - a member named with a trailing '/' stays a directory, as pip has it.
set -eu
statictls=$1 kit=$2
. "$(dirname "$0")/lib-census.sh"
"$kit" fixture "$template" "$dir/big.so" 4000 8
"$kit" fixture "$template" "$dir/small.so" 100 8
python3 - "$dir" <<'PY'
import os, stat, sys, zipfile
d = sys.argv[1]
big = open(d + "/big.so", "rb").read()
small = open(d + "/small.so", "rb").read()
modes = {"lnk": stat.S_IFLNK, "chr": stat.S_IFCHR, "blk": stat.S_IFBLK,
         "sock": stat.S_IFSOCK, "fifo": stat.S_IFIFO, "dir": stat.S_IFDIR}
def member(z, name, data, mode, method):
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the mode is the high half of external_attr
    info.external_attr = (mode | 0o755) << 16
    info.compress_type = method
    z.writestr(info, data)
methods = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED,
           "bzip2": zipfile.ZIP_BZIP2}
for kind, mode in modes.items():
    for how, method in methods.items():
        with zipfile.ZipFile("%s/%s-%s-1.0-py3-none-any.whl" % (d, kind, how), "w") as z:
            member(z, "pkg/_ext.so", big, mode, method)
# Random bytes after the object: more than libarchive reads as a link's target.
pad = os.urandom(200000)
for how, method in methods.items():
    with zipfile.ZipFile("%s/longlink-%s-1.0-py3-none-any.whl" % (d, how), "w") as z:
        member(z, "pkg/_ext.so", small + pad, stat.S_IFLNK, method)
        member(z, "pkg/_big.so", big, stat.S_IFREG, method)
# MS-DOS attributes (made on Windows): 0x10 says directory.
with zipfile.ZipFile(d + "/dosdir-1.0-py3-none-any.whl", "w") as z:
    info = zipfile.ZipInfo("pkg/_ext.so")
    info.create_system = 0
    info.external_attr = 0x10
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, big)
with zipfile.ZipFile(d + "/slash-1.0-py3-none-any.whl", "w") as z:
    member(z, "pkg/_ext.so/", b"", stat.S_IFDIR, zipfile.ZIP_STORED)
    member(z, "pkg/_ok.so", small, stat.S_IFREG, zipfile.ZIP_DEFLATED)
PY
for kind in lnk chr blk sock fifo dir; do
    for how in stored deflated; do
        whl=$dir/$kind-$how-1.0-py3-none-any.whl
        run 1 --policy manylinux2014 "$whl"
        printf '%s\n' "$out" | grep -q "^ *4000 .*initial-exec .*$whl!/pkg/_ext.so$" ||
            fail "a $kind member ($how) not judged"
        printf '%s\n' "$out" | grep -q "manylinux2014: .*: does not fit$" ||
            fail "a $kind member ($how) fits"
    done
    # bzip2: pip reads it; the census reads it where libarchive gives its
    # bytes (it does for a FIFO), else it is a problem and not judged.
    whl=$dir/$kind-bzip2-1.0-py3-none-any.whl
    set +e; out=$("$statictls" census --policy manylinux2014 "$whl" 2>&1); rc=$?; set -e
    case $rc in
    1) printf '%s\n' "$out" | grep -q "^ *4000 .*$whl!/pkg/_ext.so$" || fail "a $kind member in bzip2: exit 1, not judged" ;;
    5) printf '%s\n' "$out" | grep -q "problem: $whl!/pkg/_ext.so: .*not bzip2 (method 12) as pip does: not judged" ||
           fail "a $kind member in bzip2 not named as a problem"
       printf '%s\n' "$out" | grep -q "^not judged: 1 wheel member pip installs, whose bytes were not read" ||
           fail "the unread $kind member not said to leave the census unjudged" ;;
    *) fail "a $kind member in bzip2: exit $rc, expected 1 or 5" ;;
    esac
done
# libarchive gives a symlink member's bytes as its target, never as data.
run 5 --policy manylinux2014 "$dir/lnk-bzip2-1.0-py3-none-any.whl"
run 5 --json --policy manylinux2014 "$dir/lnk-bzip2-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q '"outcome": "not judged"' || fail "JSON: the unread member judged"

for how in stored deflated; do
    whl=$dir/longlink-$how-1.0-py3-none-any.whl
    run 1 --policy manylinux2014 "$whl"
    printf '%s\n' "$out" | grep -q "^ *100 .*$whl!/pkg/_ext.so$" || fail "a long symlink member ($how) not judged"
    printf '%s\n' "$out" | grep -q "^ *4000 .*$whl!/pkg/_big.so$" ||
        fail "the member after a long symlink member ($how) not judged"
    if printf '%s\n' "$out" | grep -q "unreadable:"; then fail "a long symlink member ($how): unreadable"; fi
done
whl=$dir/longlink-bzip2-1.0-py3-none-any.whl
run 5 --policy manylinux2014 "$whl"
printf '%s\n' "$out" | grep -q "problem: $whl!/pkg/_ext.so: .*not judged" || fail "a long bzip2 symlink member not a problem"

run 1 --policy manylinux2014 "$dir/dosdir-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "^ *4000 .*dosdir-1.0-py3-none-any.whl!/pkg/_ext.so$" ||
    fail "a member whose MS-DOS attributes say directory not judged"

run 0 --policy manylinux2014 "$dir/slash-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "^2 files, 1 ELF, 1 with TLS" || fail "a directory named with '/' read as a file"
echo PASS
