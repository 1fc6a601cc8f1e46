#!/bin/sh
# doctor-dropped.sh STATICTLS DLOPEN_REAL CENSUS_KIT SCHEMA VALIDATOR
# Two 600-byte initial-exec objects dlopened with 100 bytes of headroom:
# preloading one of them alone, or loading the first one first, still
# trips in the replay on fixtures, so doctor does not run them on the
# command; it says so (text and JSON), and the fix it does find (both
# preloaded) is still verified on the command.
set -eu
statictls=$1 program=$2 kit=$3 schema=$4 validate=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
template=$(dirname "$statictls")/fixtures/template-ie.so
"$kit" fixture "$template" "$dir/a.so" 600 8
"$kit" fixture "$template" "$dir/b.so" 600 8

out=$("$statictls" doctor --squeeze 100 -- "$program" "$dir/a.so" "$dir/b.so" 2>&1) ||
    fail "doctor exits $?"
printf '%s\n' "$out" | grep -q '^not run on the command: the replay on fixtures of the same shapes still trips with each (measured on fixtures):$' ||
    fail "the dropped fixes are not said"
printf '%s\n' "$out" | grep -q "^  - LD_PRELOAD=$dir/a\.so $program " || fail "LD_PRELOAD=a.so alone not said dropped"
printf '%s\n' "$out" | grep -q "^  - LD_PRELOAD=$dir/b\.so $program " || fail "LD_PRELOAD=b.so alone not said dropped"
printf '%s\n' "$out" | grep -q "^  - load $dir/a\.so before the rest" || fail "load-first not said dropped"
printf '%s\n' "$out" | grep -q "^  1\. LD_PRELOAD=$dir/a\.so:$dir/b\.so " || fail "the verified preload fix is gone"

"$statictls" doctor --json --squeeze 100 -- "$program" "$dir/a.so" "$dir/b.so" > "$dir/d.json"
python3 - "$dir/d.json" <<'PY' || fail "the JSON's dropped_fixes"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = sorted(f["kind"] for f in d["dropped_fixes"])
assert kinds == ["first", "preload", "preload"], d["dropped_fixes"]
assert all(not f["works"] and not f["verified_on_command"] for f in d["dropped_fixes"])
assert d["dropped_more"] == 0, d
PY
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    /usr/bin/python3 "$validate" "$schema" doctor "$dir/d.json"
fi
echo PASS
