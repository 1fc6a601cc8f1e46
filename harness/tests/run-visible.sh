#!/bin/sh
# run-visible.sh STATICTLS
# A ${VAR} library path holding ESC and a newline: `run`'s text output (the
# step's error:, the SKIP line and the file:line message) shows them as \x1b
# and \n, so no byte recolours the terminal or fakes a line of its own.
set -eu
statictls=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'title x\nlibc glibc\nlib m ${V}\nload m\nexpect loads\n' > "$work/nl.case"
esc=$(printf '\033')
V="no${esc}[31mRED.so
FAKE LINE" "$statictls" run "$work/nl.case" > "$work/out" 2>&1 && code=0 || code=$?
cat "$work/out"
[ "$code" = 2 ] || fail "exit $code, expected 2 (a library that is not here)"
grep -q "$esc" "$work/out" && fail "a raw ESC byte in the output"
grep -q '^FAKE LINE' "$work/out" && fail "the newline in the path started a line"
for where in 'error: no\\x1b\[31mRED\.so\\nFAKE LINE: cannot open' \
             '^ERROR library m (no\\x1b\[31mRED\.so\\nFAKE LINE) is not on this machine' \
             'nl\.case:3: library m (no\\x1b\[31mRED\.so\\nFAKE LINE) is not on this machine'; do
    grep -q "$where" "$work/out" || fail "no line matching: $where"
done
printf '%s\n' 'ok: ESC and newline shown as \x1b and \n'
