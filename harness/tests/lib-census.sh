# Sourced by the census tests, after set -eu and statictls=... : a scratch
# directory $dir removed at exit, the template fixture $template, and
#   fail WHY           print the last output, then fail the test
#   run CODE ARGS...   census ARGS, its output in $out, its exit status CODE
template=$(dirname "$statictls")/fixtures/template-ie.so
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$out"; echo "FAIL: $1"; exit 1; }
run() {
    want=$1; shift
    set +e; out=$("$statictls" census "$@" 2>&1); rc=$?; set -e
    [ "$rc" = "$want" ] || fail "census $* exits $rc, expected $want"
}
