#!/bin/sh
# expect-exit.sh CODE REGEX -- COMMAND...
# Runs COMMAND; passes when it exits with CODE and its output (stdout and
# stderr, newlines folded to spaces) matches the extended regex REGEX.
# COMMAND's 77 (cannot run here) is passed on, for tests that allow a skip.
code=$1 regex=$2
shift 3
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 77 ] && [ "$code" -ne 77 ]; then
    exit 77 # cannot run here: a skip where the test allows one (SKIP_RETURN_CODE)
fi
if [ "$rc" -ne "$code" ]; then
    echo "expect-exit: exit status $rc, expected $code"
    exit 1
fi
if ! printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$regex"; then
    echo "expect-exit: output does not match: $regex"
    exit 1
fi
