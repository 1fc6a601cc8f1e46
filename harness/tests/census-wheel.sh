#!/bin/sh
# census-wheel.sh STATICTLS CENSUS_KIT CC
# Synthetic wheels, built and zipped here: pkg/_ext.so has no TLS and needs
# libie.so through DT_RUNPATH $ORIGIN/../pkg.libs, where libie.so holds 200
# bytes of initial-exec TLS; a second wheel bundles the system's real
# libgomp.so.1 the same way.  The census finds each dependency through
# $ORIGIN (also from the bare file), counts each object once, compares with
# each policy's free static TLS, and exits 1 when it does not fit (or
# when an object needs a newer glibc than the policy's).
set -eu
statictls=$1 kit=$2 cc=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "$out"; echo "FAIL: $1"; exit 1; }
# run CODE ARGS...: the census's output in $out, its exit status checked
run() {
    want=$1; shift
    set +e; out=$("$statictls" census "$@" 2>&1); rc=$?; set -e
    [ "$rc" = "$want" ] || fail "census $* exits $rc, expected $want"
}

mkdir -p "$dir/w/pkg" "$dir/w/pkg.libs"
printf '%s\n' '__attribute__((tls_model("initial-exec"))) __thread char ie_block[200];' \
    'char *ie_touch(void) { return ie_block; }' > "$dir/ie.c"
printf '%s\n' 'char *ie_touch(void);' 'char *ext_touch(void) { return ie_touch(); }' > "$dir/ext.c"
$cc -shared -fPIC -o "$dir/w/pkg.libs/libie.so" -Wl,-soname,libie.so "$dir/ie.c"
$cc -shared -fPIC -o "$dir/w/pkg/_ext.so" "$dir/ext.c" "$dir/w/pkg.libs/libie.so" \
    -Wl,-rpath,'$ORIGIN/../pkg.libs' -Wl,--enable-new-dtags
"$kit" zip "$dir/ie-1.0-py3-none-linux_x86_64.whl" "$dir/w"

# The bare extension: libie.so is found through $ORIGIN.
run 0 "$dir/w/pkg/_ext.so"
echo "$out" | grep -q "^ *200 .*initial-exec .* $dir/w/pkg/../pkg.libs/libie.so  (needed by $dir/w/pkg/_ext.so)$" ||
    fail "libie.so not found through \$ORIGIN"

# The wheel (a file itself) and both members, libie.so once (the wheel's own copy).
whl=$dir/ie-1.0-py3-none-linux_x86_64.whl
run 0 "$whl"
echo "$out" | grep -q "^3 files, 2 ELF, 1 with TLS, 1 need static TLS, 0 unreadable" || fail "wheel counts"
[ "$(echo "$out" | grep -c 'libie.so')" = 1 ] || fail "libie.so counted more than once"
echo "$out" | grep -q "initial-exec .* $whl!/pkg.libs/libie.so$" || fail "the wheel's member"
echo "$out" | grep -q "0 not found" || fail "a dependency not found"

# Policies: free static TLS measured where that glibc is built here, else
# modelled and saying what it assumed.
run 0 --policy manylinux2014 "$whl"
echo "$out" | grep -Eq "manylinux2014: glibc 2.17 on [a-z0-9_]+ +free [0-9]+ \((measured|modelled)\); demand 2[0-9][0-9] with padding .*: fits" ||
    fail "manylinux2014"
echo "$out" | grep -q "free [0-9]* (measured)" || echo "$out" | grep -Eq "modelled: glibc 2.17's rules on (its own startup layout|the startup layout of)" ||
    fail "manylinux2014: modelled without saying what it assumed"
run 1 --policy musllinux_1_2 "$whl"
echo "$out" | grep -q "does not fit: musl refuses a dlopen'ed object with initial-exec TLS, and 1 need static TLS" ||
    fail "musllinux_1_2"
run 1 --policy manylinux_2_28 --min-headroom 1600 "$whl"
echo "$out" | grep -q "+ 1600 headroom kept for others: does not fit" || fail "--min-headroom"
run 0 --json --policy manylinux_2_34 "$whl"
echo "$out" | grep -q '"fits": true' || fail "JSON"
run 2 --policy manylinux3000 "$whl"

# Too big for any area: 4000 bytes, and a PT_TLS of 2^63 bytes.
mkdir "$dir/big"
"$kit" fixture "$(dirname "$statictls")/fixtures/template-ie.so" "$dir/big/libbig.so" 4000 8
run 1 --policy glibc-2.36 "$dir/big/libbig.so"
echo "$out" | grep -q "demand 4000 with padding .*: does not fit" || fail "4000 bytes"
"$kit" fixture "$(dirname "$statictls")/fixtures/template-ie.so" "$dir/big/libhuge.so" 0x8000000000000000 8
run 1 "$dir/big/libhuge.so"
echo "$out" | grep -q "host libc .*does not fit: .*libhuge.so is larger than any static TLS area" ||
    fail "2^63 bytes"

# The real libgomp, bundled as auditwheel bundles it.
gomp=
for d in /lib/*-linux-gnu /usr/lib/*-linux-gnu /usr/lib64 /usr/lib /lib; do
    [ -f "$d/libgomp.so.1" ] && { gomp=$d/libgomp.so.1; break; }
done
[ -n "$gomp" ] || { echo "FAIL: no libgomp.so.1 (scripts/bootstrap.sh installs libgomp1)"; exit 1; }
mkdir -p "$dir/g/pkg" "$dir/g/pkg.libs"
cp "$gomp" "$dir/g/pkg.libs/libgomp.so.1"
printf '%s\n' 'int omp_get_max_threads(void);' 'int ext(void) { return omp_get_max_threads(); }' > "$dir/omp.c"
$cc -shared -fPIC -o "$dir/g/pkg/_omp.so" "$dir/omp.c" "$dir/g/pkg.libs/libgomp.so.1" \
    -Wl,-rpath,'$ORIGIN/../pkg.libs' -Wl,--enable-new-dtags
"$kit" zip "$dir/omp-1.0-py3-none-linux_x86_64.whl" "$dir/g"
# The host's own release: the libgomp built for it needs no newer glibc.
host=$("$statictls" budget --json | sed -n 's/^  "libc_version": "\(.*\)",$/\1/p')
run 0 --policy "glibc-$host" "$dir/omp-1.0-py3-none-linux_x86_64.whl"
echo "$out" | grep -q "initial-exec .*omp-1.0-py3-none-linux_x86_64.whl!/pkg.libs/libgomp.so.1$" || fail "libgomp in the wheel"
echo "$out" | grep -q "$gomp" && fail "the system's libgomp counted besides the wheel's"
echo "$out" | grep -Eq "demand 1[0-9][0-9] with padding" || fail "libgomp's demand"
# manylinux2014 (glibc 2.17) takes it only where this libgomp needs no
# newer glibc (Debian 12's needs GLIBC_2.34): as auditwheel judges it.
newest=$(readelf -V "$gomp" | sed -n 's/.*Name: GLIBC_\([0-9.]*\) .*/\1/p' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
case $newest in
2.1[0-7]|2.1[0-7].*|2.[0-9]|2.[0-9].*)
    run 0 --policy manylinux2014 "$dir/omp-1.0-py3-none-linux_x86_64.whl" ;;
*)
    run 1 --policy manylinux2014 "$dir/omp-1.0-py3-none-linux_x86_64.whl"
    echo "$out" | grep -q "does not fit: .*omp-1.0-py3-none-linux_x86_64.whl!/pkg.libs/libgomp.so.1 needs GLIBC_$newest of libc.so.6, which glibc 2.17 lacks" ||
        fail "manylinux2014 took a libgomp that needs GLIBC_$newest" ;;
esac
echo "PASS"
