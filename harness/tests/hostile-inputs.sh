#!/bin/sh
# hostile-inputs.sh STATICTLS DATA
# Inputs a user (or an attacker) may give,
# each answered with a clear error and exit 2, or measured, never hung,
# never exit 3, and never leaving a scratch directory behind.
set -eu
statictls=$1 data=$2
. "$(dirname "$0")/lib-expect.sh"
scratch_tmpdir

expect "a directory as a case" 2 "cannot read: Is a directory" -- "$statictls" run "$dir"
: > "$dir/empty.case"
expect "an empty case" 2 "empty.case:1: empty case file" -- "$statictls" run "$dir/empty.case"
sed 's/$/\r/' "$data/good.case" > "$dir/crlf.case"
expect "a case with CRLF line ends" 0 "PASS every step loaded" -- "$statictls" run "$dir/crlf.case"
printf 'fixture a/b ie 8\nload a/b\nexpect loads\n' > "$dir/slash.case"
expect "a '/' in an object name" 2 "slash.case:1: object name \"a/b\"" -- "$statictls" run "$dir/slash.case"

mkfifo "$dir/fifo.so"
expect "load of a FIFO" 1 "step 1 failed: .*timeout" -- "$statictls" load --timeout 1 "$dir/fifo.so"
printf 'timeout 1\nlib f ./fifo.so\nload f\nexpect trip 1 timeout\n' > "$dir/fifo.case"
expect "a case lib naming a FIFO" 0 "PASS step 1 failed with timeout" -- "$statictls" run "$dir/fifo.case"

libs=$(i=0; while [ $i -le 4000 ]; do echo "/x/lib$i.so"; i=$((i + 1)); done)
# shellcheck disable=SC2086
expect "more libraries than a probe loads" 2 "load: 4001 libraries: one probe loads at most 4000" -- \
    "$statictls" load $libs
# shellcheck disable=SC2086
expect "limit --after as many" 2 "--after: 4001 libraries" -- "$statictls" limit --after $libs

expect "a timeout factor beyond an int of milliseconds" 0 "free +[0-9]+ +measured" -- \
    env STATICTLS_TIMEOUT_FACTOR=300000 "$statictls" budget
expect "a timeout factor that is no number" 2 "STATICTLS_TIMEOUT_FACTOR=\"fast\"" -- \
    env STATICTLS_TIMEOUT_FACTOR=fast "$statictls" budget
mkdir "$dir/a b"
expect "a space in TMPDIR" 2 "TMPDIR=.*a space or ':'" -- env TMPDIR="$dir/a b" "$statictls" run "$data/good.case"
rmdir "$dir/a b"

# Error exits remove their scratch directories.
expect "headroom of a command that cannot run" 2 "cannot run /no/such/command" -- \
    "$statictls" headroom -- /no/such/command
expect "trace of a command that cannot run" 2 "cannot run /no/such/command" -- \
    "$statictls" trace -o "$dir/t.trace" -- /no/such/command
echo PASS
