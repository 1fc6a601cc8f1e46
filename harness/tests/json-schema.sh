#!/bin/sh
# json-schema.sh STATICTLS SCHEMA VALIDATOR TEMPLATE_IE DLOPEN_REAL
# Real documents of every command that writes JSON, validated against
# docs/statictls.schema.json: budget, load, limit, run, census (over a file
# whose name is not UTF-8), headroom, doctor (of a command that works and of
# one that trips), fuzz, sweep, and report's results.json; each names the
# command that wrote it.  The validator must also reject what breaks the
# schema.
set -eu
statictls=$1 schema=$2 validate=$3 template=$4 dlopen_real=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
check() { # check KIND FILE
    /usr/bin/python3 "$validate" "$schema" "$@"
}
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || check budget /dev/null # says why, exits 77

"$statictls" budget --json > "$dir/budget.json"
# A load that fails (exit 1) writes a document too.
"$statictls" load --json --min-headroom 1 libgomp.so.1 > "$dir/load.json" || [ $? -eq 1 ]
"$statictls" limit --json --min 1 > "$dir/limit.json" || [ $? -eq 1 ]
cases=$(dirname "$schema")/../cases
"$statictls" run --json "$cases/xtuner-shape.case" "$cases/gd-takes-nothing.case" > "$dir/run.json" || true
mkdir "$dir/census"
cp "$template" "$dir/census/$(printf 'lib\377name.so')"
# The template's block is 4096-aligned: census says it does not fit (exit 1).
status=0
"$statictls" census --json "$dir/census" > "$dir/census.json" || status=$?
[ "$status" -le 1 ] || { echo "FAIL: census exited $status"; exit 1; }
grep -q 'lib\\\\xffname.so' "$dir/census.json" || { echo "FAIL: the non-UTF-8 name is not written as \\xff"; exit 1; }
"$statictls" sweep --json --glibc "$("$statictls" budget --json | sed -n 's/^  "libc_version": "\(.*\)",$/\1/p')" \
    --allow-missing > "$dir/sweep.json" || true
"$statictls" report --results "$dir/results" > /dev/null || true
for kind in budget load limit run census; do
    check $kind "$dir/$kind.json"
done
[ ! -s "$dir/sweep.json" ] || check sweep "$dir/sweep.json"
check report "$dir"/results/*/results.json
if [ -n "$dlopen_real" ] && "$statictls" headroom --json -- "$dlopen_real" libgomp.so.1 > "$dir/headroom.json"; then
    check headroom "$dir/headroom.json"
fi
# doctor: libgomp fits (works as is); the template's 4096-aligned block trips.
if [ -n "$dlopen_real" ] && "$statictls" doctor --json -- "$dlopen_real" libgomp.so.1 > "$dir/doctor-works.json"; then
    check doctor "$dir/doctor-works.json"
    "$statictls" doctor --json -- "$dlopen_real" "$template" > "$dir/doctor-trips.json" || [ $? -eq 1 ]
    grep -q '"works_as_is": false' "$dir/doctor-trips.json" || { echo "FAIL: doctor did not see the template trip"; exit 1; }
    check doctor "$dir/doctor-trips.json"
fi
# fuzz: the header, the seed asked for, and each build's run.
"$statictls" fuzz --json --seed 7 --count 3 > "$dir/fuzz.json" || [ $? -eq 1 ]
grep -q '"seed": 7,' "$dir/fuzz.json" || { echo "FAIL: fuzz's document does not hold its seed"; exit 1; }
check fuzz "$dir/fuzz.json"
# The check can fail: a document without its header, and one of another kind.
sed '/"schema_version"/d' "$dir/limit.json" > "$dir/no-header.json"
if check limit "$dir/no-header.json" >/dev/null; then echo "FAIL: a document without schema_version passed"; exit 1; fi
if check limit "$dir/load.json" >/dev/null; then echo "FAIL: a load document passed as limit"; exit 1; fi
sed 's/"command": "limit"/"command": "budget"/' "$dir/limit.json" > "$dir/other-command.json"
if check limit "$dir/other-command.json" >/dev/null; then echo "FAIL: a limit document said to be budget's passed"; exit 1; fi
echo "PASS: every document matches docs/statictls.schema.json"
