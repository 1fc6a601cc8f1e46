#!/bin/sh
# command-stdout.sh STATICTLS CC AUDITOR SCHEMA VALIDATOR
# statictls's stdout is its report: the checked command's own stdout (a
# program that prints `ok 0`) never reaches it.  doctor --json, headroom
# --json and trace leave a stdout that is theirs alone (JSON documents that
# parse and hold to docs/statictls.schema.json), and the program's line is
# on statictls's stderr.  With --json, a command that fails unsqueezed (ld.so
# refuses to start it under LD_AUDIT; it exits otherwise than expected) is a
# finding, said by a document (exit 1); a usage error (env -i, a missing
# program) is stderr only (exit 2).  Everything is built here, at test time.
set -eu
statictls=$1 cc=$2 auditor=$3 schema=$4 validate=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cd "$dir"
printf '__thread char big[2000] __attribute__((tls_model("initial-exec")));\nint touch(void){ big[1]=1; return big[0]; }\n' > big.c
printf '#include <stdio.h>\nint touch(void);\nint main(void){ printf("ok %%d\\n", touch()); return 0; }\n' > prog.c
"$cc" -shared -fPIC -o libbig.so big.c
"$cc" -o prog prog.c -L. -lbig -Wl,-rpath,'$ORIGIN'
cp "$auditor" audit.so
# hello prints and starts under any audit module (trace's tracer is one).
printf '#include <stdio.h>\nint main(void){ printf("ok 0\\n"); return 0; }\n' > hello.c
"$cc" -o hello hello.c

# json FILE KIND: FILE is one JSON document, valid against $defs/KIND where
# python3-jsonschema is here.
json() {
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" ||
        { cat "$1"; fail "$2: stdout is not one JSON document"; }
    if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
        /usr/bin/python3 "$validate" "$schema" "$2" "$1" || fail "$1 breaks the schema's $2"
    fi
}
# on_stderr NAME FILE: the program's own line was shown, on stderr.
on_stderr() {
    grep -qx 'ok 0' "$2" || { cat "$2"; fail "$1: the program's stdout is not on statictls's stderr"; }
}

# 1. The command's stdout is not in the report.
rc=0
"$statictls" doctor --json -- ./hello > d.json 2> d.err || rc=$?
[ "$rc" -eq 0 ] || { cat d.err; fail "doctor --json exits $rc"; }
json d.json doctor
on_stderr doctor d.err
echo "ok: doctor --json"
rc=0
"$statictls" headroom --json -- ./hello > h.json 2> h.err || rc=$?
[ "$rc" -eq 0 ] || { cat h.err; fail "headroom --json exits $rc"; }
json h.json headroom
on_stderr headroom h.err
echo "ok: headroom --json"
for c in doctor headroom; do
    rc=0
    "$statictls" "$c" -- ./hello > text.out 2> text.err || rc=$?
    [ "$rc" -eq 0 ] || fail "$c exits $rc"
    if grep -q '^ok 0' text.out; then cat text.out; fail "$c: the program's stdout is in the report"; fi
    on_stderr "$c" text.err
done
rc=0
"$statictls" trace -o t.trace -- ./hello > t.out 2> t.err || rc=$?
[ "$rc" -eq 0 ] || { cat t.err; fail "trace exits $rc"; }
if grep -q '^ok 0' t.out; then cat t.out; fail "trace: the program's stdout is on statictls's"; fi
on_stderr trace t.err
echo "ok: text reports and trace"

# 2. A command that exits otherwise than expected: a finding, in JSON.
rc=0
"$statictls" headroom --expect-exit 3 --json -- ./prog > f.json 2> f.err || rc=$?
[ "$rc" -eq 1 ] || { cat f.err; fail "headroom on a command that exits 0, expected 3: exit $rc"; }
json f.json headroom
python3 - f.json <<'EOF' || fail "the document does not say how it failed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["needed_bytes"] is None and d["starts"] is True and d["refusal"] is None, d
assert d["exit_unsqueezed"] == 0 and d["expected_exit"] == 3 and d["program"] == "./prog", d
EOF
echo "ok: headroom --json on a command that fails"

# 3. ld.so refuses to start it under LD_AUDIT: a finding, in JSON.
rc=0
LD_AUDIT=./audit.so ./prog >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 127 ]; then
    rc=0
    "$statictls" headroom --json -- env LD_AUDIT=./audit.so ./prog > r.json 2> r.err || rc=$?
    [ "$rc" -eq 1 ] || { cat r.err; fail "headroom --json on a program ld.so refuses: exit $rc"; }
    json r.json headroom
    python3 - r.json <<'EOF' || fail "the document does not say ld.so refused"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["needed_bytes"] is None and d["starts"] is False, d
assert d["refusal"] == "static-tls-exhausted" and d["exit_unsqueezed"] == 127, d
assert d["program"] == "./prog" and "libbig.so" in (d["message"] or ""), d
EOF
    grep -q "ld.so refuses to start ./prog" r.err || fail "the refusal is not said on stderr"
    rc=0
    LD_AUDIT=./audit.so "$statictls" doctor --json -- ./prog > s.json 2> s.err || rc=$?
    [ "$rc" -eq 0 ] || { cat s.err; fail "doctor --json on a program ld.so refuses: exit $rc"; }
    json s.json doctor
    echo "ok: a program ld.so refuses to start, in JSON"
else
    echo "this glibc starts the program under LD_AUDIT (exit $rc): no refusal to test"
fi

# 4. Usage errors: exit 2, the message on stderr, nothing on stdout.
for cmd in "doctor --json -- env -i ./prog" "doctor --json -- ./no-such-program" \
    "headroom --json -- env -i ./prog" "headroom --json -- ./no-such-program"; do
    rc=0
    # shellcheck disable=SC2086 # the words of the command
    "$statictls" $cmd > u.out 2> u.err || rc=$?
    [ "$rc" -eq 2 ] || fail "$cmd: exit $rc, expected 2"
    [ ! -s u.out ] || { cat u.out; fail "$cmd: a usage error wrote on stdout"; }
    [ -s u.err ] || fail "$cmd: no message on stderr"
done
echo "ok: usage errors on stderr only"
echo "PASS: the command's stdout is never statictls's"
