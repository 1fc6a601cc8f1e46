#!/bin/sh
# doctor-startup.sh STATICTLS CC AUDITOR [SCHEMA VALIDATOR]
# A program ld.so refuses to start: its DT_NEEDED library has 2000 bytes of
# initial-exec TLS, and under LD_AUDIT the libraries take static TLS from
# the surplus.  doctor, with LD_AUDIT in its environment or through
# `env LD_AUDIT=... PROGRAM`, ends 0 with a GLIBC_TUNABLES line that,
# pasted into sh -c, starts the program; the same line at N - 1 does not.
# A launcher that drops the helper (env -i, env -u LD_PRELOAD) is said and
# nothing runs; a program that is not there or not executable is exit 2
# with its path.  Everything is built here, at test time.
set -eu
statictls=$1 cc=$2 auditor=$3 schema=${4:-} validate=${5:-}
here=$(dirname "$0")
. "$here/lib-expect.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cd "$dir"
printf '__thread char big[2000] __attribute__((tls_model("initial-exec")));\nint touch(void){ big[1]=1; return big[0]; }\n' > big.c
printf '#include <stdio.h>\nint touch(void);\nint main(void){ printf("ok %%d\\n", touch()); return 0; }\n' > prog.c
"$cc" -shared -fPIC -o libbig.so big.c
"$cc" -o prog prog.c -L. -lbig -Wl,-rpath,'$ORIGIN'
cp "$auditor" audit.so

rc=0
LD_AUDIT=./audit.so ./prog >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 127 ]; then
    echo "this glibc starts the program under LD_AUDIT (exit $rc): nothing to test here"
    exit 77
fi

# The line doctor prints as fix 1, and its N.
fix_line() {
    printf '%s\n' "$1" | sed -n 's/^  1\. \(GLIBC_TUNABLES=glibc\.rtld\.optional_static_tls=[0-9]* .*\)$/\1/p'
}
# A line run as a user pastes it; $2: the exit it must end with.
run_line() {
    rc=0
    sh -c "$1" >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq "$2" ] || fail "exit $rc, expected $2: $1"
}

# 1. LD_AUDIT in doctor's own environment.
rc=0
out=$(LD_AUDIT=./audit.so "$statictls" doctor -- ./prog) || rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "LD_AUDIT=./audit.so statictls doctor -- ./prog exits $rc, expected 0"
line=$(fix_line "$out")
[ -n "$line" ] || fail "no GLIBC_TUNABLES line as fix 1"
n=$(printf '%s\n' "$line" | sed 's/^GLIBC_TUNABLES=glibc\.rtld\.optional_static_tls=\([0-9]*\) .*/\1/')
printf '%s\n' "$out" | grep -q "optional_static_tls=$n starts it, $((n - 1)) does not" ||
    fail "N and N - 1 are not both shown"
printf '%s\n' "$out" | grep -Eq "libbig\.so needs 2000 bytes .* short \(modelled" ||
    fail "the object that does not fit is not named, modelled"
LD_AUDIT=./audit.so run_line "$line" 0
below=$(printf '%s\n' "$line" | sed "s/optional_static_tls=$n /optional_static_tls=$((n - 1)) /")
LD_AUDIT=./audit.so run_line "$below" 127
echo "ok: LD_AUDIT in the environment: N=$n starts it, $((n - 1)) does not"

# 2. Through env's word list: the line carries it, so it runs alone.
rc=0
out=$("$statictls" doctor -- env LD_AUDIT=./audit.so ./prog) || rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "statictls doctor -- env LD_AUDIT=./audit.so ./prog exits $rc, expected 0"
line2=$(fix_line "$out")
[ "$line2" = "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=$n env LD_AUDIT=./audit.so ./prog" ] ||
    fail "unexpected line: $line2"
run_line "$line2" 0
run_line "$(printf '%s\n' "$line2" | sed "s/=$n /=$((n - 1)) /")" 127
# Without the auditor: an option, verified, not the fix.
printf '%s\n' "$out" | grep -A1 '^options' | grep -q '^  2\. \./prog$' ||
    fail "the command without LD_AUDIT is not offered as an option"
echo "ok: env LD_AUDIT=... ./prog"

# 3. The user's own tunables are kept, and theirs for the same name replaced.
rc=0
out=$("$statictls" doctor -- env GLIBC_TUNABLES=glibc.malloc.check=0:glibc.rtld.optional_static_tls=600 LD_AUDIT=./audit.so ./prog) || rc=$?
[ "$rc" -eq 0 ] || fail "with the user's GLIBC_TUNABLES: exit $rc"
line3=$(printf '%s\n' "$out" | sed -n 's/^  1\. \(env .*\)$/\1/p')
[ "$line3" = "env LD_AUDIT=./audit.so GLIBC_TUNABLES=glibc.malloc.check=0:glibc.rtld.optional_static_tls=$n ./prog" ] ||
    fail "the user's tunables not merged: $line3"
run_line "$line3" 0
echo "ok: GLIBC_TUNABLES merged"

# 4. --json: the same figures, and every verified line runs.
rc=0
"$statictls" doctor --json -- env LD_AUDIT=./audit.so ./prog > d.json || rc=$?
[ "$rc" -eq 0 ] || fail "doctor --json exits $rc"
python3 - d.json "$n" <<'EOF' || fail "the JSON does not hold"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert d["starts"] is False and d["refusal"] == "static-tls-exhausted", d
t = d["optional_static_tls"]
assert t["measured_smallest"] == n and t["exit_at_smallest"] == 0, t
assert t["exit_below_smallest"] == 127, t
assert d["modelled_trip"]["object"].endswith("libbig.so"), d["modelled_trip"]
fixes = [f for f in d["fixes"] if f["verified_on_command"] and f["works"]]
assert fixes and fixes[0]["kind"] == "tunable", d["fixes"]
for f in fixes:
    rc = subprocess.run(["sh", "-c", f["line"]], stdout=subprocess.DEVNULL).returncode
    assert rc == 0, "exit %d: %s" % (rc, f["line"])
print("ok: JSON")
EOF
# The document against docs/statictls.schema.json, where jsonschema is here.
if [ -n "$schema" ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    /usr/bin/python3 "$validate" "$schema" doctor d.json || fail "d.json breaks the schema"
    echo "ok: schema"
fi

# 5. Too many audit modules (glibc >= 2.32: nns 4 + 13 > 16): the largest
#    glibc.rtld.nns that starts it, shown failing one above.
printf 'int main(void){ return 0; }\n' > plain.c
"$cc" -o plain plain.c
many=./audit.so
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do many="$many:./audit.so"; done
rc=0
LD_AUDIT=$many ./plain >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 127 ]; then
    rc=0
    out=$("$statictls" doctor -- env LD_AUDIT="$many" ./plain) || rc=$?
    printf '%s\n' "$out"
    [ "$rc" -eq 0 ] || fail "too many audit modules: doctor exits $rc"
    printf '%s\n' "$out" | grep -q "glibc.rtld.nns 4 + 13 audit modules = 17 namespaces" ||
        fail "the namespace count is not said"
    line4=$(printf '%s\n' "$out" | sed -n 's/^  1\. \(GLIBC_TUNABLES=glibc\.rtld\.nns=3 env .*\)$/\1/p')
    [ -n "$line4" ] || fail "no glibc.rtld.nns=3 line"
    run_line "$line4" 0
    run_line "$(printf '%s\n' "$line4" | sed 's/nns=3 /nns=4 /')" 127
    echo "ok: too many audit modules"
fi

# 6. Bad input: said, exit 2, and nothing runs (a run would leave `ran`).
expect env-i 2 "doctor: nothing measured: .env -i. starts the program with an empty environment" -- \
    "$statictls" doctor -- env -i LD_AUDIT=./audit.so sh -c 'touch ran'
expect env-u 2 "doctor: nothing measured: .env -u LD_PRELOAD. starts the program without LD_PRELOAD" -- \
    "$statictls" doctor -- env -u LD_PRELOAD sh -c 'touch ran'
[ ! -e ran ] || fail "a launcher that drops the helper was run"
expect missing 2 "doctor: cannot run \\./no-such-program: No such file or directory" -- \
    "$statictls" doctor -- ./no-such-program
expect missing-env 2 "doctor: cannot run \\./no-such-program: No such file or directory" -- \
    "$statictls" doctor -- env LD_AUDIT=./audit.so ./no-such-program
cp prog noexec && chmod -x noexec
expect not-executable 2 "doctor: cannot run \\./noexec: not executable" -- \
    "$statictls" doctor -- ./noexec

# 7. headroom: no headroom at startup, and it says so (exit 1).
expect headroom 1 "headroom: ld.so refuses to start \\./prog \\(exit 127\\)" -- \
    env LD_AUDIT=./audit.so "$statictls" headroom -- ./prog
# Through env, the program refused is the one env runs, not env.
expect headroom-env 1 "headroom: ld.so refuses to start \\./prog \\(exit 127\\)" -- \
    "$statictls" headroom -- env LD_AUDIT=./audit.so ./prog
echo "PASS: a program that cannot start under LD_AUDIT gets a verified tunable"
