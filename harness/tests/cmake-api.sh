#!/bin/sh
# cmake-api.sh BUILD SOURCE CMAKE CTEST
# The CMake API as a user's project meets it: statictls installed into a
# temporary prefix, cmake-api/ configured against it with
# find_package(statictls) and run by ctest.  Each call names the tests it
# made (TEST_LIST); PROPERTIES and EXTRA_ARGS reach every test;
# statictls_discover_cases makes one test per case file; the measured
# headroom reaches CDash's XML as a named measurement and
# `ctest --output-junit`'s file as text; ALLOW_MISSING skips a release
# statictls does not know and a case's missing library; and strict mode
# (-DSTATICTLS_STRICT=ON, or STATICTLS_STRICT=1 when ctest runs) fails each
# of those skips and a glibc build whose sysroot is gone, saying so.
set -eu
build=$1 src=$2 cmake=$3 ctest=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$cmake" --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
# an installed glibc build of this machine's architecture, whose sysroot
# copy is taken away below
gone=$(cd "$tmp/prefix/lib/statictls" && ls -d glibc-[0-9]*/root 2>/dev/null |
       sed -n 's|^glibc-\([0-9.]*\)/root$|\1|p' | head -n 1)
project=$src/harness/tests/cmake-api
"$cmake" -S "$project" -B "$tmp/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" "-DGONE_BUILD=$gone" \
    > "$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; fail "configure"; }
cd "$tmp/b"

# TEST_LIST: each call's tests, named NAME.BUILD, the cases by file
cat made.txt
expected="fits: fits.host
tight: too-tight.host
props: props.host
cases: case.fits.host;case.missing.host
unknown: unknown.glibc-2.28
gone: ${gone:+gone.glibc-$gone}"
[ "$(cat made.txt)" = "$expected" ] || fail "TEST_LIST: expected
$expected"

# PROPERTIES (a list-valued ENVIRONMENT kept whole; TIMEOUT and LABELS read
# as properties, up to the next keyword: LIBCS, ALLOW_MISSING) and EXTRA_ARGS
"$ctest" --show-only=json-v1 > show.json
python3 - show.json <<'PY' || fail "properties or arguments"
import json, sys
tests = {t["name"]: t for t in json.load(open(sys.argv[1]))["tests"]}
props = lambda t: {p["name"]: p["value"] for p in tests[t]["properties"]}
fits, tight = props("fits.host"), props("too-tight.host")
given, case = props("props.host"), props("case.fits.host")
cmd = tests["fits.host"]["command"]
checks = [
    (fits["ENVIRONMENT"] == ["STATICTLS_API_A=1", "STATICTLS_API_B=2"], "ENVIRONMENT"),
    (fits["FIXTURES_REQUIRED"] == ["ready"], "FIXTURES_REQUIRED"),
    ("statictls" in fits["LABELS"] and "host" in fits["LABELS"], "statictls's labels kept"),
    (tight.get("WILL_FAIL") is True, "WILL_FAIL"),
    (given.get("TIMEOUT") == 61 and given.get("WILL_FAIL") is True, "PROPERTIES TIMEOUT 61 WILL_FAIL TRUE: %s" % given),
    (given.get("LABELS") == ["mine"], "PROPERTIES LABELS mine replaces statictls's: %s" % given.get("LABELS")),
    (case.get("LABELS") == ["cases"], "discover_cases PROPERTIES LABELS cases: %s" % case.get("LABELS")),
    (cmd[1:] == ["load", "--ctest-measurements", "--threads", "2", "--min-headroom", "100",
                 "libc.so.6"], "EXTRA_ARGS before the libraries: %s" % cmd),
]
bad = [what for ok, what in checks if not ok]
print("properties and arguments:", "; ".join(bad) if bad else "as given")
sys.exit(1 if bad else 0)
PY

# The measured headroom: a named measurement for CDash, text in JUnit
"$ctest" -T Test --output-junit junit.xml > run.log 2>&1 || { cat run.log; fail "ctest"; }
grep -E "case.missing.host \(Skipped\)" run.log || fail "case.missing.host not skipped"
grep -E "unknown.glibc-2.28 \(Skipped\)" run.log || fail "unknown.glibc-2.28 not skipped"
python3 - junit.xml Testing/*/Test.xml <<'PY' || fail "measurements"
import re, sys
import xml.etree.ElementTree as ET
junit = {c.get("name"): c for c in ET.parse(sys.argv[1]).getroot().iter("testcase")}
cdash = {}
for t in ET.parse(sys.argv[2]).getroot().iter("Test"):
    name = t.findtext("Name")
    for m in t.iter("NamedMeasurement"):
        if m.get("name") == "headroom_bytes":
            cdash[name] = int(m.findtext("Value"))
bad = []
for name in ("fits.host", "case.fits.host", "too-tight.host"):
    out = junit[name].findtext("system-out") or ""
    m = re.search(r"^headroom_bytes (\d+) \(measured\)$", out, re.M)
    if not m:
        bad.append("%s: no headroom_bytes in JUnit's system-out" % name)
    elif cdash.get(name) != int(m.group(1)):
        bad.append("%s: CDash's headroom_bytes %s, JUnit's %s" % (name, cdash.get(name), m.group(1)))
    else:
        print("%s: headroom_bytes %s in JUnit and CDash's XML" % (name, m.group(1)))
sys.exit("; ".join(bad) if bad else 0)
PY

if [ -n "$gone" ]; then # its sysroot taken away: a skip, saying it is gone
    rm -rf "$tmp/prefix/lib/statictls/sysroots"
    "$ctest" -R '^gone' --output-on-failure -V > gone.log 2>&1 || { cat gone.log; fail "gone"; }
    grep -q "the copy of its sysroot installed with statictls, .*, is gone" gone.log ||
        { cat gone.log; fail "gone: no reason"; }
    grep -E "gone.glibc-$gone .*Skipped|gone.glibc-$gone \(Skipped\)" gone.log || fail "gone not skipped"
fi

# Strict: every skip above fails, saying which build, which case and why
STATICTLS_STRICT=1 "$ctest" -R '^unknown' > env-strict.log 2>&1 && fail "STATICTLS_STRICT=1 passed"
grep -q "unknown.glibc-2.28 .*Failed" env-strict.log || { cat env-strict.log; fail "env strict"; }
"$cmake" -DSTATICTLS_STRICT=ON . > /dev/null
rc=0
"$ctest" --output-on-failure > strict.log 2>&1 || rc=$?
cat strict.log
[ "$rc" -ne 0 ] || fail "strict: ctest passed"
grep -q "case.missing.host .*Failed" strict.log || fail "strict: case.missing.host"
grep -q "coverage lost: .*missing.case on host was skipped: library gone (/no-such-dir/libgone.so) is not on this machine" strict.log ||
    fail "strict: the case's reason"
grep -q "unknown.glibc-2.28 .*Failed" strict.log || fail "strict: unknown.glibc-2.28"
grep -q "coverage lost: .statictls load libc.so.6. on glibc 2.28 checked nothing" strict.log ||
    fail "strict: the unknown release's reason"
if [ -n "$gone" ]; then
    grep -q "gone.glibc-$gone .*Failed" strict.log || fail "strict: gone.glibc-$gone"
    grep -q "coverage lost: .statictls load libc.so.6. on glibc $gone checked nothing: glibc $gone is built here, but the copy of its sysroot .* is gone" strict.log ||
        fail "strict: the gone sysroot's reason"
fi
failed=$(grep -c " - .*(Failed)" strict.log || true)
expected_failed=2 # case.missing.host, unknown.glibc-2.28
[ -z "$gone" ] || expected_failed=3
[ "$failed" -eq "$expected_failed" ] || fail "strict: $failed tests failed, expected $expected_failed"
echo "PASS: TEST_LIST, PROPERTIES, EXTRA_ARGS, discovered cases, measurements, ALLOW_MISSING and strict mode${gone:+ (glibc $gone's sysroot gone)}"
