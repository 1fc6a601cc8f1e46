#!/bin/sh
# dollar-dirs.sh STATICTLS CC AUDITOR
# A '$' in a directory's name that is no dynamic string token ($ORIGIN,
# $LIB, $PLATFORM, braced or not) is a byte of the path to ld.so, which
# expands only those tokens, and never the program's own path or the value
# it puts for $ORIGIN.  In directories named `a$b` and `a$(x)b`: a program
# that finds its library through DT_RUNPATH $ORIGIN, and one through a
# DT_RUNPATH naming that directory itself.  census finds each library, and
# doctor, on a program ld.so refuses to start under LD_AUDIT, models it from
# its ELF files (never "not found").  Everything is built here, at test time.
set -eu
statictls=$1 cc=$2 auditor=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cd "$dir"
printf '__thread char big[2000] __attribute__((tls_model("initial-exec")));\nint touch(void){ big[1]=1; return big[0]; }\n' > big.c
printf '#include <stdio.h>\nint touch(void);\nint main(void){ printf("ok %%d\\n", touch()); return 0; }\n' > prog.c
cp "$auditor" audit.so

# shellcheck disable=SC2016 # the names are literal
for name in 'a$b' 'a$(x)b'; do
    d="$dir/$name"
    mkdir -p "$d/sub"
    "$cc" -shared -fPIC -o "$d/libbig.so" big.c
    cp "$d/libbig.so" "$d/sub/libbig.so"
    "$cc" -o "$d/origin" prog.c -L"$d" -lbig -Wl,-rpath,'$ORIGIN'
    "$cc" -o "$d/named" prog.c -L"$d/sub" -lbig -Wl,-rpath,"$d/sub"
    for p in origin named; do
        "$d/$p" > /dev/null || fail "$name/$p does not run"
        out=$("$statictls" census "$d/$p" 2>&1) || true
        printf '%s\n' "$out" | grep -q ", 0 not found$" ||
            { printf '%s\n' "$out"; fail "census: a library of $name/$p not found"; }
        printf '%s\n' "$out" | grep -q "^ *2000 .*libbig\.so" ||
            { printf '%s\n' "$out"; fail "census: $name/$p's libbig.so not listed"; }
        echo "ok: census $name/$p"
    done
done

rc=0
LD_AUDIT=./audit.so "$dir/a\$b/origin" >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 127 ]; then
    echo "this glibc starts the program under LD_AUDIT (exit $rc): doctor's model not tested"
    exit 0
fi
for name in 'a$b' 'a$(x)b'; do
    for p in origin named; do
        rc=0
        out=$("$statictls" doctor -- env LD_AUDIT=./audit.so "$dir/$name/$p" 2>&1) || rc=$?
        if printf '%s\n' "$out" | grep -q "not modelled"; then
            printf '%s\n' "$out"; fail "doctor: $name/$p not modelled"
        fi
        printf '%s\n' "$out" | grep -qF "$dir/$name/" || { printf '%s\n' "$out"; fail "no path"; }
        printf '%s\n' "$out" | grep -q "libbig\.so needs 2000 bytes .* short (modelled" ||
            { printf '%s\n' "$out"; fail "doctor: $name/$p's libbig.so not modelled"; }
        [ "$rc" -eq 0 ] || { printf '%s\n' "$out"; fail "doctor on $name/$p exits $rc"; }
        echo "ok: doctor $name/$p"
    done
done
echo "PASS: a '\$' that is no dynamic string token is a byte of the path"
