#!/bin/sh
# census-gate.sh STATICTLS CENSUS_KIT CC
# What a CI gate must never take for "fits" (exit 0), each input made here:
# - a wheel listing one member twice: pip installs the last copy, so that
#   copy is judged (4000 bytes of initial-exec TLS: does not fit), and a
#   later copy that is no ELF object replaces an earlier one that is; a
#   name with a ".." that stays inside the wheel is the path pip installs
#   it at (so it replaces the member of that path), one above it refused;
#   a '\\' in a name is a character of the file name, as pip has it on
#   Linux: `pkg\\_ext.so` is its own file beside `pkg/_ext.so`;
# - a library whose SONAME is libc.so.6, with 4000 bytes of initial-exec
#   TLS: no libc a process starts with (the build's libc is matched by
#   file), so its demand counts, also for musl;
# - a PT_TLS with p_align 0 or p_filesz > p_memsz: a process that dlopens
#   it dies, so it is a problem and does not fit;
# - a PT_TLS of 0 bytes in an object with initial-exec relocations: ld.so
#   skips the block, then divides by its alignment of 0 (SIGFPE in dlopen);
# - a PT_DYNAMIC whose p_offset lies past the end of the file: ld.so reads
#   it at p_vaddr, so the census does (its initial-exec relocations count),
#   and one no PT_LOAD maps is a problem;
# - objects of two machines: each machine's objects load into a process of
#   their own (an aarch64 object adds nothing to the x86_64 demand), and
#   objects that no build here judges (MIPS; with --policy too) exit 5
#   ("not judged"), never 0;
# - a DT_NEEDED name one object finds through its own DT_RUNPATH ($ORIGIN)
#   and another does not find: each requester's lookup is its own, so the
#   object found counts whichever order the arguments come in;
# - --json writes sizes of 2^63 and more as the positive numbers they are.
set -eu
statictls=$1 kit=$2 cc=$3
. "$(dirname "$0")/lib-census.sh"
fixture() { "$kit" fixture "$template" "$dir/$1" "$2" 8; }
fixture small.so 100
fixture big.so 4000
printf 'not an ELF object\n' > "$dir/text"

# A member listed twice: the last copy is judged, whichever it is.
"$kit" members "$dir/dup-1.0-py3-none-any.whl" pkg/_ext.so="$dir/small.so" pkg/_ext.so="$dir/big.so"
run 1 "$dir/dup-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "^ *4000 .*dup-1.0-py3-none-any.whl!/pkg/_ext.so$" || fail "the last copy not judged"
[ "$(printf '%s\n' "$out" | grep -c '_ext.so$')" = 1 ] || fail "a member listed twice counted twice"
if printf '%s\n' "$out" | grep -q unreadable:; then fail "the first copy reported"; fi
"$kit" members "$dir/dup-2.0-py3-none-any.whl" pkg/_ext.so="$dir/big.so" ./pkg//_ext.so="$dir/small.so"
run 0 "$dir/dup-2.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "^ *100 .*_ext.so$" || fail "the last copy (another spelling of its name) not judged"
"$kit" members "$dir/dup-3.0-py3-none-any.whl" pkg/_ext.so="$dir/big.so" pkg/_ext.so="$dir/text"
run 0 "$dir/dup-3.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "^1 files, 0 ELF, 0 with TLS" || fail "an ELF copy replaced by a text file still judged"
# A ".." inside the wheel: pip installs pkg/sub/../_ext.so at pkg/_ext.so.
"$kit" members "$dir/dup-4.0-py3-none-any.whl" pkg/_ext.so="$dir/small.so" pkg/sub/../_ext.so="$dir/big.so"
run 1 "$dir/dup-4.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "^ *4000 .*dup-4.0-py3-none-any.whl!/pkg/_ext.so$" || fail "pkg/sub/../_ext.so not judged as pkg/_ext.so"
[ "$(printf '%s\n' "$out" | grep -c '_ext.so$')" = 1 ] || fail "the copy pip replaces still counted"
"$kit" members "$dir/dup-5.0-py3-none-any.whl" pkg/../../_ext.so="$dir/big.so" pkg/_ext.so="$dir/small.so"
run 0 "$dir/dup-5.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "unreadable: .*pkg/../../_ext.so: an unsafe member name" || fail "a name above the wheel's root not refused"
# A backslash: pip installs pkg\_ext.so and pkg/_ext.so, two files.
python3 - "$dir" <<'PY'
import sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(d + "/bs-1.0-py3-none-any.whl", "w") as z:
    z.writestr("pkg\\_ext.so", open(d + "/big.so", "rb").read())
    z.writestr("pkg/_ext.so", open(d + "/small.so", "rb").read())
PY
run 1 "$dir/bs-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q '^ *4000 .*bs-1.0-py3-none-any.whl!/pkg\\\\_ext.so$' || fail "pkg\\_ext.so taken for pkg/_ext.so"
printf '%s\n' "$out" | grep -q "^ *100 .*bs-1.0-py3-none-any.whl!/pkg/_ext.so$" || fail "pkg/_ext.so not judged beside pkg\\_ext.so"

# SONAME libc.so.6 is no libc: its 4000 bytes count, on glibc and on musl.
printf '%s\n' '__attribute__((tls_model("initial-exec"))) __thread char b[4000];' \
    'char *touch(void) { return b; }' > "$dir/fake.c"
mkdir -p "$dir/w/pkg"
$cc -shared -fPIC -o "$dir/w/pkg/libc.so.6" -Wl,-soname,libc.so.6 "$dir/fake.c"
run 1 "$dir/w/pkg/libc.so.6"
printf '%s\n' "$out" | grep -q "host libc .*demand 4[0-9][0-9][0-9] with padding (modelled; 0 already in the initial block): does not fit" ||
    fail "a library named libc.so.6 taken for the libc"
"$kit" zip "$dir/fake-1.0-py3-none-any.whl" "$dir/w"
run 1 --policy musllinux_1_2 "$dir/fake-1.0-py3-none-any.whl"
printf '%s\n' "$out" | grep -q "and 1 need static TLS (musl's rule)" || fail "musl: a library named libc.so.6 not refused"
# The libc the closure finds by DT_NEEDED is still the process's own.
run 0 "$dir/small.so"
printf '%s\n' "$out" | grep -q "host libc .*(modelled; 1 already in the initial block): fits" ||
    fail "the libc a DT_NEEDED names no longer taken as loaded"

# A PT_TLS no loader can place: a problem, never "fits".
cp "$dir/small.so" "$dir/align0.so" && "$kit" patch "$dir/align0.so" align=0
run 1 "$dir/align0.so"
printf '%s\n' "$out" | grep -q "problem: $dir/align0.so: PT_TLS alignment 0" || fail "p_align 0 not reported"
printf '%s\n' "$out" | grep -q "host libc .*does not fit: $dir/align0.so has a PT_TLS no loader can place" ||
    fail "p_align 0 fits"
cp "$dir/small.so" "$dir/filesz.so" && "$kit" patch "$dir/filesz.so" filesz=200
run 1 --policy manylinux_2_28 "$dir/filesz.so"
printf '%s\n' "$out" | grep -q "problem: $dir/filesz.so: PT_TLS: 200 initialised bytes in a 100-byte block" ||
    fail "p_filesz > p_memsz not reported"
printf '%s\n' "$out" | grep -q "does not fit: $dir/filesz.so has a PT_TLS no loader can place" || fail "p_filesz > p_memsz fits"

# A PT_TLS of 0 bytes reached by initial-exec relocations.
cp "$dir/small.so" "$dir/memsz0.so" && "$kit" patch "$dir/memsz0.so" memsz=0 filesz=0
run 1 "$dir/memsz0.so"
printf '%s\n' "$out" | grep -q "problem: $dir/memsz0.so: PT_TLS of 0 bytes with [1-9][0-9]* initial-exec relocations" ||
    fail "p_memsz 0 with initial-exec relocations not reported"
printf '%s\n' "$out" | grep -q "host libc .*does not fit: $dir/memsz0.so" || fail "p_memsz 0 fits"

# PT_DYNAMIC read where ld.so reads it: at p_vaddr.
cp "$dir/big.so" "$dir/fardyn.so" && "$kit" patch "$dir/fardyn.so" dynoffset=0x10000000
run 1 "$dir/fardyn.so"
printf '%s\n' "$out" | grep -q "^ *4000 .*fardyn.so$" || fail "PT_DYNAMIC read at its p_offset"
if printf '%s\n' "$out" | grep -q "problem:"; then fail "a PT_DYNAMIC mapped by a PT_LOAD reported"; fi
cp "$dir/small.so" "$dir/nodyn.so" && "$kit" patch "$dir/nodyn.so" dynvaddr_=0x7000000000
run 1 "$dir/nodyn.so"
printf '%s\n' "$out" | grep -q "problem: $dir/nodyn.so: PT_DYNAMIC at address 0x7000000000 lies in no PT_LOAD" ||
    fail "a PT_DYNAMIC no PT_LOAD maps not reported"

# Machines: never summed, and none judged is no "fits".
cp "$dir/big.so" "$dir/arm.so" && "$kit" patch "$dir/arm.so" machine=183   # EM_AARCH64
cp "$dir/small.so" "$dir/mips.so" && "$kit" patch "$dir/mips.so" machine=8  # EM_MIPS
set +e; out=$("$statictls" census "$dir/small.so" "$dir/arm.so" 2>&1); rc=$?; set -e
[ "$rc" = 1 ] || [ "$rc" = 5 ] || fail "x86_64 and aarch64 objects exit $rc (1 where an aarch64 build runs here, else 5)"
printf '%s\n' "$out" | grep -q "^all 1 static-TLS objects dlopen'ed into a fresh aarch64 process:" || fail "no aarch64 process"
printf '%s\n' "$out" | grep -q "host libc .*demand 1[0-9][0-9] with padding" || fail "the aarch64 object added to the x86_64 demand"
run 5 "$dir/mips.so"
printf '%s\n' "$out" | grep -q "^all 1 static-TLS objects dlopen'ed into a fresh mips process:" || fail "no mips process"
printf '%s\n' "$out" | grep -q "glibc on mips .*not judged: no libc build for mips here" || fail "mips verdict"
printf '%s\n' "$out" | grep -q "^not judged: " || fail "the outcome not said"
run 5 --policy manylinux2014 "$dir/mips.so"
printf '%s\n' "$out" | grep -q "manylinux2014: glibc 2.17 on mips .*not judged" || fail "--policy on mips"
run 5 "$dir/small.so" "$dir/mips.so"
run 5 --json "$dir/small.so" "$dir/mips.so"
printf '%s\n' "$out" | grep -q '"outcome": "not judged"' || fail "JSON outcome"
run 1 "$dir/big.so" "$dir/mips.so"   # one that does not fit says so first

# One name, two requesters: found from one's $ORIGIN, not found by the other.
mkdir -p "$dir/mx/x" "$dir/mx/y"
printf '%s\n' 'int e(void) { return 1; }' > "$dir/e.c"
$cc -shared -fPIC -o "$dir/mx/x/libbigtls.so" -Wl,-soname,libbigtls.so "$dir/fake.c"
$cc -shared -fPIC -o "$dir/mx/x/ext.so" "$dir/e.c" -L"$dir/mx/x" -Wl,--no-as-needed -lbigtls \
    -Wl,-rpath,'$ORIGIN' -Wl,--enable-new-dtags
$cc -shared -fPIC -o "$dir/mx/y/plain.so" "$dir/e.c" -L"$dir/mx/x" -Wl,--no-as-needed -lbigtls
for order in "$dir/mx/y/plain.so $dir/mx/x/ext.so" "$dir/mx/x/ext.so $dir/mx/y/plain.so"; do
    # shellcheck disable=SC2086 # two paths without blanks
    run 1 --policy manylinux2014 $order
    printf '%s\n' "$out" | grep -q "^ *4000 .*mx/x/libbigtls.so  (needed by $dir/mx/x/ext.so)$" ||
        fail "a library found from its requester's \$ORIGIN hidden by another's failed lookup"
    printf '%s\n' "$out" | grep -q "not found: libbigtls.so (needed by $dir/mx/y/plain.so)$" ||
        fail "a requester that does not find the library not reported"
done

# Sizes past 2^63 in JSON.
"$kit" fixture "$template" "$dir/huge.so" 0xffffffffffffffff 8
run 1 --json "$dir/huge.so"
printf '%s\n' "$out" | grep -q '"tls_size": 18446744073709551615,' || fail "a size of 2^64 - 1 in JSON"
if printf '%s\n' "$out" | grep -q ': -[0-9]'; then fail "a negative number in JSON"; fi
echo "PASS"
