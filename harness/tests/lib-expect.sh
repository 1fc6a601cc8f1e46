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
