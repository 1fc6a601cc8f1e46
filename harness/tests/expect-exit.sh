#!/bin/sh
# expect-exit.sh CODE REGEX -- COMMAND...
# Runs COMMAND; passes when it exits with CODE and its output (stdout and
# stderr, newlines folded to spaces) matches the extended regex REGEX.
code=$1 regex=$2
shift 3
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne "$code" ]; then
    echo "expect-exit: exit status $rc, expected $code"
    exit 1
fi
if ! printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$regex"; then
    echo "expect-exit: output does not match: $regex"
    exit 1
fi
