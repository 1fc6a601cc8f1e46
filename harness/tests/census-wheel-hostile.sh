#!/bin/sh
# census-wheel-hostile.sh STATICTLS CENSUS_KIT CC
# Small hostile wheels, made here, that once hung the census, filled
# TMPDIR or ended it with exit 3:
# - a DT_RPATH of 4 MB (one entry of $ORIGIN repeated) in a wheel of a few
#   kilobytes: only its first --max-search-path bytes are searched (a
#   problem says so), the library the first entry names is still found,
#   and the whole list, when asked for, costs its length;
# - a 1 GiB member in a 1 MB wheel: only what the census reads of it is
#   copied (under a 1 MiB file size limit, and in a TMPDIR of 4 MiB where
#   a user namespace can mount one), nothing is left in TMPDIR, and
#   --max-member-read caps what is read;
# - a member name of 300 bytes, or a path past PATH_MAX: that member is
#   unreadable, the rest of its wheel and the next wheel are judged;
# - control bytes in member names are escaped in the text output;
# - a non-ASCII member name (UTF-8, as pip reads it) is judged under the
#   C locale, and one that is no UTF-8 is listed unreadable, never skipped.
set -eu
statictls=$1 kit=$2 cc=$3
. "$(dirname "$0")/lib-census.sh"
"$kit" fixture "$template" "$dir/small.so" 100 8
"$kit" fixture "$template" "$dir/big.so" 4000 8

# 4 MB of DT_RPATH: $ORIGIN/../pkg.libs, then one entry of $ORIGIN 600,000
# times (a linker reads it from a response file: no argument is that long).
mkdir -p "$dir/r/pkg" "$dir/r/pkg.libs"
cp "$dir/big.so" "$dir/r/pkg.libs/libbig.so"
printf 'int ext(void) { return 0; }\n' > "$dir/ext.c"
{
    printf '%s' "-Wl,--disable-new-dtags,-rpath,\$ORIGIN/../pkg.libs:"
    i=0
    while [ $i -lt 600 ]; do printf '%s' "$(printf '$ORIGIN%.0s' $(seq 1000))"; i=$((i + 1)); done
    printf '\n'
} > "$dir/rpath.rsp"
# libm.so.6 is searched for through the whole DT_RPATH before the default directories.
$cc -shared -fPIC -o "$dir/r/pkg/_ext.so" "$dir/ext.c" "$dir/r/pkg.libs/libbig.so" @"$dir/rpath.rsp" \
    -Wl,--no-as-needed -lm
rm "$dir/r/pkg.libs/libbig.so"   # only the wheel's copy
"$kit" members "$dir/rpath-1.0-py3-none-any.whl" pkg/_ext.so="$dir/r/pkg/_ext.so" \
    pkg.libs/libbig.so="$dir/big.so"
[ "$(wc -c < "$dir/rpath-1.0-py3-none-any.whl")" -lt 65536 ] || { echo "FAIL: the wheel is not small"; exit 1; }
run 1 "$dir/rpath-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "problem: .*rpath-1.0-py3-none-any.whl!/pkg/_ext.so: DT_RPATH of 42000[0-9][0-9] bytes: only its first 65536 bytes were searched (census --max-search-path raises the limit)" ||
    fail "the cut DT_RPATH not reported"
printf '%s\n' "$out" | grep -q "^ *4000 .*whl!/pkg.libs/libbig.so$" || fail "libbig.so not judged"
printf '%s\n' "$out" | grep -q "0 not found" || fail "libbig.so not found through the DT_RPATH's first entry"
run 1 --max-search-path 100000000 "$dir/rpath-1.0-py3-none-any.whl"
if printf '%s\n' "$out" | grep -q "problem:"; then fail "a DT_RPATH within the limit reported"; fi

# A 1 GiB member, of which the census copies a few kilobytes.
"$kit" members "$dir/gig-1.0-py3-none-any.whl" pkg/_big.so="$dir/small.so+1073741824" \
    pkg/_ok.so="$dir/small.so"
[ "$(wc -c < "$dir/gig-1.0-py3-none-any.whl")" -lt 2000000 ] || { echo "FAIL: the wheel is not small"; exit 1; }
mkdir "$dir/tmp"
set +e
out=$(trap '' XFSZ; ulimit -f 2048 && TMPDIR=$dir/tmp "$statictls" census "$dir/gig-1.0-py3-none-any.whl" 2>&1)
rc=$?
set -e
[ "$rc" = 0 ] || fail "the 1 GiB member under a 1 MiB file size limit: exit $rc"
printf '%s\n' "$out" | grep -q "^ *100 .*whl!/pkg/_big.so$" || fail "the 1 GiB member not judged"
if printf '%s\n' "$out" | grep -q "unreadable:"; then fail "a write past the file size limit"; fi
[ -z "$(ls -A "$dir/tmp")" ] || fail "files left in TMPDIR: $(ls -A "$dir/tmp")"
# A TMPDIR of 4 MiB, where a user namespace lets this test mount one.
if unshare -rm true 2>/dev/null; then
    set +e
    out=$(unshare -rm sh -c 'mount -t tmpfs -o size=4m tmpfs "$1" && TMPDIR=$1 "$2" census "$3" &&
                             [ -z "$(ls -A "$1")" ]' sh "$dir/tmp" "$statictls" \
          "$dir/gig-1.0-py3-none-any.whl" 2>&1)
    rc=$?
    set -e
    [ "$rc" = 0 ] || fail "the 1 GiB member with a TMPDIR of 4 MiB: exit $rc (or files left)"
    printf '%s\n' "$out" | grep -q "^ *100 .*whl!/pkg/_big.so$" || fail "the 1 GiB member not judged in 4 MiB"
else
    echo "(no user namespace here: the 4 MiB TMPDIR is not tried)"
fi
# PT_DYNAMIC past 2 MiB (after 2 MiB of read-only data): beyond a 1 MiB cap.
printf '%s\n' 'const char far_data[2 << 20] = {1};' > "$dir/far.c"
$cc -shared -fPIC -o "$dir/far.so" "$dir/far.c"
"$kit" members "$dir/far-1.0-py3-none-any.whl" pkg/_far.so="$dir/far.so" pkg/_ok.so="$dir/small.so"
run 0 --max-member-read 1048576 "$dir/far-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "unreadable: .*whl!/pkg/_far.so: what the census reads of it lies past its first 1048576 bytes (census --max-member-read raises the limit)" ||
    fail "--max-member-read"
printf '%s\n' "$out" | grep -q "^ *100 .*whl!/pkg/_ok.so$" || fail "the member after a capped one"
run 0 "$dir/far-1.0-py3-none-any.whl"
if printf '%s\n' "$out" | grep -q "unreadable:"; then fail "a member within the default cap unreadable"; fi
# Its copy (sparse, 2 MiB long) passes a 1 MiB file size limit: that member
# is unreadable, its partial copy removed, and the other one judged.
set +e
out=$(trap '' XFSZ; ulimit -f 2048 && TMPDIR=$dir/tmp "$statictls" census "$dir/far-1.0-py3-none-any.whl" 2>&1)
rc=$?
set -e
[ "$rc" = 0 ] || fail "a copy that cannot be written: exit $rc"
printf '%s\n' "$out" | grep -q "unreadable: .*whl!/pkg/_far.so: cannot copy it into TMPDIR: File too large" ||
    fail "a copy that cannot be written not reported"
printf '%s\n' "$out" | grep -q "^ *100 .*whl!/pkg/_ok.so$" || fail "the member beside one that cannot be copied"
[ -z "$(ls -A "$dir/tmp")" ] || fail "files left in TMPDIR: $(ls -A "$dir/tmp")"

# Names too long for the file system: that member, and only it, is unreadable.
long=$(printf 'x%.0s' $(seq 300))
deep=$(printf "d%0249d/" $(seq 20))   # 5000 bytes: past PATH_MAX
"$kit" members "$dir/long-1.0-py3-none-any.whl" "pkg/$long.so=$dir/small.so" \
    "$deep/_deep.so=$dir/small.so" pkg/_ok.so="$dir/small.so"
"$kit" members "$dir/next-1.0-py3-none-any.whl" pkg/_next.so="$dir/big.so"
run 1 "$dir/long-1.0-py3-none-any.whl" "$dir/next-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "unreadable: .*long-1.0-py3-none-any.whl!/pkg/$long.so: .*File name too long" ||
    fail "the 300-byte name not reported"
printf '%s\n' "$out" | grep -q "unreadable: .*long-1.0-py3-none-any.whl!/d0*1/.*/_deep.so: .*File name too long" ||
    fail "the path past PATH_MAX not reported"
printf '%s\n' "$out" | grep -q "^ *100 .*long-1.0-py3-none-any.whl!/pkg/_ok.so$" || fail "the rest of the wheel"
printf '%s\n' "$out" | grep -q "^ *4000 .*next-1.0-py3-none-any.whl!/pkg/_next.so$" || fail "the next wheel"

# Control bytes: ESC and a newline in member names, escaped.
esc=$(printf '\033')
"$kit" members "$dir/esc-1.0-py3-none-any.whl" "pkg/${esc}[31mred.so=$dir/small.so" \
    "pkg/two
lines.so=$dir/small.so"
run 0 "$dir/esc-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q 'esc-1.0-py3-none-any.whl!/pkg/\\x1b\[31mred.so$' || fail "ESC not escaped"
printf '%s\n' "$out" | grep -q 'esc-1.0-py3-none-any.whl!/pkg/two\\nlines.so$' || fail "a newline not escaped"
if printf '%s\n' "$out" | grep -q "$esc"; then fail "a raw ESC printed"; fi

# Non-ASCII names, under the C locale.
LC_ALL=C python3 - "$dir" <<'PY'
import sys, zipfile
d = sys.argv[1]
big = open(d + "/big.so", "rb").read()
small = open(d + "/small.so", "rb").read()
with zipfile.ZipFile(d + "/utf8-1.0-py3-none-any.whl", "w") as z:
    z.writestr("pkg/caf\u00e9.so", big)
    z.writestr("pkg/_ok.so", small)
# The same with bytes no UTF-8 reader takes in place of the name's "\u00e9".
wheel = d + "/bad-1.0-py3-none-any.whl"
with zipfile.ZipFile(wheel, "w") as z:
    z.writestr("pkg/caf\u00e9.so", big)
    z.writestr("pkg/_ok.so", small)
data = open(wheel, "rb").read().replace("pkg/caf\u00e9.so".encode(), b"pkg/caf\xff\xfe.so")
open(wheel, "wb").write(data)
PY
set +e; out=$(LC_ALL=C "$statictls" census "$dir/utf8-1.0-py3-none-any.whl" 2>&1); rc=$?; set -e
[ "$rc" = 1 ] || fail "a non-ASCII member name under the C locale: exit $rc"
printf '%s\n' "$out" | grep -q '^ *4000 .*utf8-1.0-py3-none-any.whl!/pkg/caf\\xc3\\xa9.so$' ||
    fail "the non-ASCII member not judged"
LC_ALL=C run 0 "$dir/bad-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q 'unreadable: .*bad-1.0-py3-none-any.whl!/(member 1): its name cannot be read as UTF-8' ||
    fail "a member whose name cannot be read skipped"
echo "PASS"
