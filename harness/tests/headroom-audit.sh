#!/bin/sh
# headroom-audit.sh STATICTLS CC SCHEMA VALIDATOR
# A program that starts under LD_AUDIT although its DT_NEEDED library's
# initial-exec block comes out of the surplus: `headroom` and `doctor` say
# the smallest glibc.rtld.optional_static_tls with which it still starts,
# measured (N works, N-1 fails) and modelled to the byte, and the margin of
# the value it runs with.  The figure is checked here without statictls:
# the program itself runs at N and fails at N-1.  Without LD_AUDIT nothing
# of it is said.
set -eu
statictls=$1 cc=$2 schema=$3 validate=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# prog SIZE: a program whose DT_NEEDED library has SIZE bytes of IE TLS.
prog() {
    mkdir "$dir/p$1"
    printf '__thread char big[%s] __attribute__((tls_model("initial-exec")));\nint touch(void){big[1]=1;return big[0];}\n' \
        "$1" > "$dir/p$1/big.c"
    printf 'int touch(void);\nint main(void){return touch();}\n' > "$dir/p$1/prog.c"
    "$cc" -shared -fPIC -o "$dir/p$1/libbig.so" "$dir/p$1/big.c"
    # shellcheck disable=SC2016 # $ORIGIN is the loader's
    "$cc" -o "$dir/p$1/prog" "$dir/p$1/prog.c" -L"$dir/p$1" -lbig -Wl,-rpath,'$ORIGIN'
}
printf 'unsigned int la_version(unsigned int v){return v;}\n' > "$dir/audit.c"
"$cc" -shared -fPIC -o "$dir/audit.so" "$dir/audit.c"
prog 1500
prog 500

# The host's free static TLS under one auditor bounds what starts.
LD_AUDIT="$dir/audit.so" "$dir/p1500/prog" || fail "the 1500-byte program does not start under LD_AUDIT here"

for cmd in headroom doctor; do
    out=$(LD_AUDIT="$dir/audit.so" "$statictls" $cmd -- "$dir/p1500/prog") ||
        fail "$cmd exits $?: $out"
    if printf '%s\n' "$out" | grep -q '^LD_AUDIT      set; room at startup not measured: .* has no glibc\.rtld\.optional_static_tls'; then
        echo "the host's ld.so has no glibc.rtld.optional_static_tls (glibc < 2.32): nothing to measure"
        exit 77
    fi
    printf '%s\n' "$out"
    n=$(printf '%s\n' "$out" | sed -n 's/^smallest      glibc\.rtld\.optional_static_tls=\([0-9]*\) (measured: .*/\1/p')
    [ -n "$n" ] || fail "$cmd: no smallest optional_static_tls under LD_AUDIT"
    [ "$n" -gt 0 ] || fail "$cmd: a 1500-byte block needs some optional_static_tls, not $n"
    printf '%s\n' "$out" | grep -q "^smallest      glibc\.rtld\.optional_static_tls=$n (measured: $n works, $((n - 1)) exits 127: .*libbig\.so: cannot allocate memory in static TLS block)$" ||
        fail "$cmd: not shown failing at $((n - 1))"
    printf '%s\n' "$out" | grep -q "^modelled      $n (" || fail "$cmd: the model does not say $n"
    printf '%s\n' "$out" | grep -q "^margin        $((512 - n)) bytes (measured: optional_static_tls 512, the default" ||
        fail "$cmd: no margin of 512 - $n"
    printf '%s\n' "$out" | grep -q "^LD_AUDIT      1 audit module" || fail "$cmd: the auditor is not named"
done

# The figure holds for the program alone.
LD_AUDIT="$dir/audit.so" GLIBC_TUNABLES=glibc.rtld.optional_static_tls=$n "$dir/p1500/prog" ||
    fail "the program does not start at optional_static_tls=$n"
rc=0
LD_AUDIT="$dir/audit.so" GLIBC_TUNABLES=glibc.rtld.optional_static_tls=$((n - 1)) "$dir/p1500/prog" \
    2> "$dir/err" || rc=$?
[ "$rc" -eq 127 ] && grep -q "cannot allocate memory in static TLS block" "$dir/err" ||
    fail "the program starts at optional_static_tls=$((n - 1)) (exit $rc)"

# The user's own tunable is the one the margin is of.
out=$(LD_AUDIT="$dir/audit.so" GLIBC_TUNABLES=glibc.rtld.optional_static_tls=2500 \
    "$statictls" headroom -- "$dir/p1500/prog")
printf '%s\n' "$out" | grep -q "^margin        $((2500 - n)) bytes (measured: optional_static_tls 2500, from GLIBC_TUNABLES" ||
    fail "no margin of 2500 - $n: $out"

# A block the surplus holds without the optional part: it starts at 0.
out=$(LD_AUDIT="$dir/audit.so" "$statictls" headroom -- "$dir/p500/prog")
printf '%s\n' "$out" | grep -q '^smallest      glibc\.rtld\.optional_static_tls=0 (measured: it works at 0)$' ||
    fail "the 500-byte program: $out"

# JSON, against the schema where jsonschema is here.
LD_AUDIT="$dir/audit.so" "$statictls" headroom --json -- "$dir/p1500/prog" > "$dir/h.json"
python3 - "$dir/h.json" "$n" <<'PY' || fail "the JSON's startup member"
import json, sys
s = json.load(open(sys.argv[1]))["startup"]
n = int(sys.argv[2])
assert s["measured"] and s["smallest_optional_static_tls"] == n, s
assert s["predicted_smallest_optional_static_tls"] == n, s
assert s["margin"] == 512 - n and s["exit_at_one_less"] == 127, s
PY
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    /usr/bin/python3 "$validate" "$schema" headroom "$dir/h.json"
fi

# Without LD_AUDIT: no startup lines, and "startup": null.
out=$("$statictls" headroom -- "$dir/p1500/prog")
if printf '%s\n' "$out" | grep -q '^smallest\|^LD_AUDIT'; then fail "without LD_AUDIT: $out"; fi
"$statictls" headroom --json -- "$dir/p1500/prog" | grep -q '"startup": null' ||
    fail "without LD_AUDIT the JSON's startup is not null"
echo "ok: smallest optional_static_tls $n under one auditor, measured and modelled"
