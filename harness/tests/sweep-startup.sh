#!/bin/sh
# sweep-startup.sh STATICTLS SCHEMA VALIDATOR KEPT_SWEEP_JSON
# The sweep's startup figures on the host's glibc release: the largest
# preloaded IE block under 0 (no limit), 1 and 2 auditors and the smallest
# optional_static_tls for a 2000-byte one, measured and equal to the model;
# and a results directory keeps the row of a build not swept here (the
# earlier sweep.json given), saying its startup figures were not measured.
set -eu
statictls=$1 schema=$2 validate=$3 kept=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
version=$("$statictls" budget --json | sed -n 's/^  "libc_version": "\(.*\)",$/\1/p')
rc=0
"$statictls" sweep --json --glibc "$version" --allow-missing > "$dir/sweep.json" || rc=$?
[ "$rc" -ne 77 ] || { echo "glibc $version is not built here"; exit 77; }
[ "$rc" -eq 0 ] || fail "sweep exits $rc"
python3 - "$dir/sweep.json" <<'PY' || fail "the startup figures"
import json, sys
s = json.load(open(sys.argv[1]))["sweeps"][0]
f = {x["name"]: x for x in s["startup"]}
assert len(f) == 4, f
a0 = f["largest preload, LD_AUDIT=0"]
a1 = f["largest preload, LD_AUDIT=1"]
a2 = f["largest preload, LD_AUDIT=2"]
t = f["smallest optional_static_tls, 2000-byte preload, LD_AUDIT=1"]
assert a0["measured_unbounded"] == 1 and a0["predicted_unbounded"] == 1 and a0["agrees"], a0
for x in (a1, a2, t):
    assert x["agrees"] and x["measured"] == x["predicted"], x
    assert "cannot allocate memory in static TLS block" in x["error_at_edge"], x
assert 0 < a1["measured"] < a2["measured"] < 1048576, (a1, a2)
assert a1["measured"] < 2000 and t["measured"] > 0 and t["preload_bytes"] == 2000, (a1, t)
print("startup figures: %d, %d, tunable %d" % (a1["measured"], a2["measured"], t["measured"]))
PY
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    /usr/bin/python3 "$validate" "$schema" sweep "$dir/sweep.json"
fi

# A build not here: its row stays, its startup figures say so.
platform=$(basename "$(dirname "$kept")")
mkdir -p "$dir/results/$platform"
cp "$kept" "$dir/results/$platform/sweep.json"
"$statictls" sweep --glibc "$version" --results "$dir/results" > /dev/null || fail "sweep --results"
label=$(sed -n 's/^  "label": "\(.*\) \([^ ]*\)",$/| \1 | \2 |/p' "$kept")
[ -n "$label" ] || fail "no label in $kept"
grep -F "$label" "$dir/results/README.md" | head -n 1 | grep -q '| [0-9]' ||
    fail "the kept row of $platform is not in the matrix"
grep -F "$label not measured (build not here) |" "$dir/results/README.md" > /dev/null ||
    fail "the kept row's startup figures are not said to be unmeasured"
grep -F "| $platform/" "$dir/results/README.md" > /dev/null ||
    grep -F "($platform/sweep.md)" "$dir/results/README.md" > /dev/null ||
    fail "the kept build is not in the per-build table"
echo "ok"
