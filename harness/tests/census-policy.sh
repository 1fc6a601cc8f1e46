#!/bin/sh
# census-policy.sh STATICTLS CC
# What a wheel policy checks, the census checks (each input made here):
# - a library that needs GLIBC_2.34 (dlopen, as x86_64's glibc 2.34 and
#   later version it) does not fit manylinux2014 (glibc 2.17) nor
#   manylinux_2_28, the verdict naming the object, the version and the
#   file it is needed of, in text and JSON, also as a wheel's member;
#   glibc 2.34 and later take it;
# - a policy's release is modelled on its own startup layout where the
#   model knows it: manylinux2014 leaves 1688 bytes free (glibc 2.17's
#   libc.so.6 has a 104-byte block), not this machine's figure, and says so;
# - two copies of one soname, each found by a DT_NEEDED of its own
#   requester (their own $ORIGIN), load once, as ld.so maps a name once:
#   1000 bytes of initial-exec TLS counted once fit, twice would not.
set -eu
statictls=$1 cc=$2
. "$(dirname "$0")/lib-census.sh"

# Two copies of libdup.so.1 (1000 bytes each), each beside its requester.
printf '%s\n' '__attribute__((tls_model("initial-exec"))) __thread char dup_block[1000];' \
    'char *dup_touch(void) { return dup_block; }' > "$dir/dup.c"
printf '%s\n' 'char *dup_touch(void);' 'char *use(void) { return dup_touch(); }' > "$dir/use.c"
for side in a b; do
    mkdir -p "$dir/tree/$side"
    $cc -shared -fPIC -o "$dir/tree/$side/libdup.so.1" -Wl,-soname,libdup.so.1 "$dir/dup.c"
    $cc -shared -fPIC -o "$dir/tree/$side.so" "$dir/use.c" "$dir/tree/$side/libdup.so.1" \
        -Wl,-rpath,"\$ORIGIN/$side" -Wl,--enable-new-dtags
done
run 0 "$dir/tree/a.so" "$dir/tree/b.so"
printf '%s\n' "$out" | grep -q "tree/b/libdup.so.1  (needed by .*tree/b.so)  (loaded once, as .*tree/a/libdup.so.1)$" ||
    fail "the second copy of libdup.so.1 not said to load once"
printf '%s\n' "$out" | grep -q "^  host libc .*demand 10[0-9][0-9] with padding" ||
    fail "one soname's two copies counted twice"

# A policy's own startup layout: glibc 2.17 leaves 1688 bytes.
printf '%s\n' '__attribute__((tls_model("initial-exec"))) __thread char small[100];' \
    'char *small_touch(void) { return small; }' > "$dir/small.c"
$cc -shared -fPIC -o "$dir/libsmall.so" "$dir/small.c"
if [ "$(uname -m)" = x86_64 ]; then
    run 0 --policy manylinux2014 "$dir/libsmall.so"
    printf '%s\n' "$out" | grep -q "manylinux2014: glibc 2.17 on x86_64 *free 1688 (modelled)" ||
        fail "manylinux2014 not modelled on glibc 2.17's own startup layout"
    printf '%s\n' "$out" | grep -q "modelled: glibc 2.17's rules on its own startup layout (libc.so.6's TLS block of 104 bytes" ||
        fail "the layout modelled not said"
fi

# GLIBC_2.34 needed: refused by manylinux2014 and manylinux_2_28.
printf '%s\n' '#include <dlfcn.h>' 'void *open_it(const char *n) { return dlopen(n, RTLD_NOW); }' \
    > "$dir/need.c"
$cc -shared -fPIC -o "$dir/libneed.so" "$dir/need.c"
if ! readelf -V "$dir/libneed.so" | grep -q "Name: GLIBC_2.34"; then
    echo "PASS (in part): the host's toolchain links dlopen without GLIBC_2.34; the version checks need one that does"
    exit 0
fi
run 1 --policy manylinux2014 "$dir/libneed.so"
printf '%s\n' "$out" | grep -q "manylinux2014: glibc 2.17 on x86_64 *does not fit: .*/libneed.so needs GLIBC_2.34 of libc.so.6, which glibc 2.17 lacks: ld.so refuses it" ||
    fail "manylinux2014 took a library that needs GLIBC_2.34"
run 1 --policy manylinux_2_28 --json "$dir/libneed.so"
printf '%s\n' "$out" | python3 -c '
import json, sys
v = json.load(sys.stdin)["fresh_process"][0]
n = v["glibc_version_needed"]
assert not v["fits"] and v["judged"], v
assert n["version"] == "GLIBC_2.34" and n["of"] == "libc.so.6" and n["release"] == "2.28", n
assert n["object"].endswith("/libneed.so"), n' || fail "the JSON verdict does not name the version needed"
run 0 --policy manylinux_2_34 "$dir/libneed.so"
# In a wheel: its members are copied in part, DT_VERNEED's records and names
# among what is copied.
python3 - "$dir" <<'PY'
import sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(d + "/need-1.0-py3-none-linux_x86_64.whl", "w") as z:
    z.writestr("pkg/libneed.so", open(d + "/libneed.so", "rb").read())
PY
run 1 --policy manylinux2014 "$dir/need-1.0-py3-none-linux_x86_64.whl"
printf '%s\n' "$out" | grep -q "does not fit: .*need-1.0-py3-none-linux_x86_64.whl!/pkg/libneed.so needs GLIBC_2.34 of libc.so.6, which glibc 2.17 lacks" ||
    fail "a wheel's member that needs GLIBC_2.34 taken by manylinux2014"
echo "PASS: census holds version needs to the policy's glibc, models its own layout, loads a soname once"
