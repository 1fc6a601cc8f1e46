# Sourced by the behaviour tests: expect NAME CODE REGEX -- COMMAND...
# runs COMMAND, and fails the test (exit 1) unless it exits CODE with output
# (newlines folded to spaces) matching the extended regex REGEX, and, when
# EXPECT_EMPTY_DIR is set, that directory is empty afterwards.
expect() {
    name=$1 code=$2 regex=$3
    shift 4
    rc=0
    out=$("$@" 2>&1) || rc=$?
    if [ "$rc" -ne "$code" ] || ! printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$regex"; then
        printf '%s\n' "$out"
        echo "FAIL: $name: exit $rc (expected $code), or the output lacks: $regex"
        exit 1
    fi
    if [ -n "${EXPECT_EMPTY_DIR:-}" ] && [ -n "$(ls -A "$EXPECT_EMPTY_DIR")" ]; then
        ls -la "$EXPECT_EMPTY_DIR"
        echo "FAIL: $name: left files in $EXPECT_EMPTY_DIR"
        exit 1
    fi
    echo "ok: $name"
}

# scratch_tmpdir: a directory $dir removed at exit, and TMPDIR=$dir/tmp,
# which expect checks is empty after each command (a scratch directory
# left behind fails).
scratch_tmpdir() {
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    mkdir "$dir/tmp"
    export TMPDIR="$dir/tmp"
    EXPECT_EMPTY_DIR=$TMPDIR
}
