#!/bin/sh
# doctor-paste.sh STATICTLS DLOPEN_REAL TEMPLATE_IE
# doctor's fix lines are pasted into shells: with a library in a directory
# named `evil;touch${IFS}PWNED;` and a command named `A=B`, every line it
# prints (text and JSON) runs, through a real `sh -c`, the command with the
# fix and nothing else: it exits 0 and no file appears where it runs.
set -eu
statictls=$1 program=$2 template=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# shellcheck disable=SC2016 # the ${IFS} is the attack: a literal name
evil="$dir/"'evil;touch${IFS}PWNED;'
mkdir "$evil" "$dir/bin" "$dir/cwd"
cp "$template" "$evil/template-ie.so" # 4096-aligned: trips, preloaded it loads
cp "$program" "$dir/bin/A=B"          # a command whose name looks like an assignment
PATH="$dir/bin:$PATH"
export PATH

# A line runs in an empty directory: a file there is a command it smuggled in.
run_line() {
    rc=0
    (cd "$dir/cwd" && sh -c "$1") || rc=$?
    [ "$rc" -eq 0 ] || fail "the pasted line exits $rc: $1"
    [ -z "$(ls -A "$dir/cwd")" ] || fail "the pasted line ran more than the command: $1"
}

rc=0
out=$(cd "$dir/cwd" && "$statictls" doctor -- 'A=B' "$evil/template-ie.so") || rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "doctor exits $rc, expected 0 (a fix verified)"
# "  1. LD_PRELOAD=... 'A=B' ...": the verified fix, as printed.
line=$(printf '%s\n' "$out" | sed -n 's/^  1\. \(LD_PRELOAD=.*\)$/\1/p')
[ -n "$line" ] || fail "no LD_PRELOAD fix printed"
run_line "$line"
# The command as doctor shows it is the command too: with the library
# preloaded by us, it works.
shown=$(printf '%s\n' "$out" | sed -n 's/^command       //p')
[ -n "$shown" ] || fail "doctor showed no command line"
rc=0
(cd "$dir/cwd" && LD_PRELOAD="$evil/template-ie.so" sh -c "$shown") || rc=$?
[ "$rc" -eq 0 ] || fail "the command line shown exits $rc: $shown"
[ -z "$(ls -A "$dir/cwd")" ] || fail "the command line shown ran more than the command: $shown"

# The same in JSON: each verified fix's line, run by sh -c.
rc=0
(cd "$dir/cwd" && "$statictls" doctor --json -- 'A=B' "$evil/template-ie.so") > "$dir/d.json" ||
    rc=$?
[ "$rc" -eq 0 ] || fail "doctor --json exits $rc"
python3 - "$dir/d.json" "$dir/cwd" <<'EOF' || fail "a JSON line does not run the command alone"
import json, os, subprocess, sys
lines = [f["line"] for f in json.load(open(sys.argv[1]))["fixes"]
         if f["verified_on_command"] and f["works"]]
assert lines, "no verified fix in the JSON"
for line in lines:
    rc = subprocess.run(["sh", "-c", line], cwd=sys.argv[2]).returncode
    assert rc == 0, "exit %d: %s" % (rc, line)
    assert not os.listdir(sys.argv[2]), "files appeared: %s" % line
print("ok: %d JSON lines" % len(lines))
EOF
echo "PASS: every fix line, pasted, runs the command alone"
