#!/bin/sh
# limit-probes-together.sh STATICTLS PROBE FIXTURES
# `limit` verifies its prediction with two probes that run at the same
# time.  A copy of statictls beside a wrapper in place of its probe shows
# it: each of the first two probes waits (2 s at most) for the other to
# start, and says so if it never did; the second is then ready half a
# second after the first.  Then the second probe reads another budget (a
# library with TLS preloaded in it alone): limit must see that the two
# differ, say so, and verify the next size in a probe of its own.
statictls=$1 probe=$2 fixtures=$(cd "$3" && pwd) || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/statictls-together.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cp "$statictls" "$tmp/statictls" && ln -s "$fixtures" "$tmp/fixtures" || fail "cannot set up $tmp"
# $1: what the second probe adds to its environment.
wrap() {
    rm -rf "$tmp/runs" && mkdir "$tmp/runs" || fail "cannot make $tmp/runs"
    cat >"$tmp/statictls-probe" <<EOF
#!/bin/sh
n=1
while ! mkdir "$tmp/runs/\$n" 2>/dev/null; do n=\$((n + 1)); done
if [ \$n -le 2 ]; then
    i=0
    while [ ! -d "$tmp/runs/\$((3 - n))" ] && [ \$i -lt 100 ]; do sleep 0.02; i=\$((i + 1)); done
    [ -d "$tmp/runs/\$((3 - n))" ] || touch "$tmp/runs/alone-\$n"
fi
[ \$n -eq 2 ] && { export $1; sleep 0.5; } # ready after the first
exec "$probe" "\$@"
EOF
    chmod +x "$tmp/statictls-probe"
}

expected=$("$statictls" limit | sed -n 's/^max_bytes *\([0-9]*\) .*/\1/p')
[ -n "$expected" ] || fail "statictls limit printed no max_bytes"

wrap STATICTLS_UNUSED=1
out=$("$tmp/statictls" limit) || fail "limit beside the wrapper failed: $out"
echo "$out"
[ -e "$tmp/runs/alone-1" ] || [ -e "$tmp/runs/alone-2" ] && fail "probes ran one by one"
echo "$out" | grep -q "^max_bytes *$expected " || fail "not $expected bytes"
echo "$out" | grep -q "^method *prediction verified, 2 probes" || fail "not verified by 2 probes"
echo "$out" | grep -q "^note" && fail "a note where the budgets are the same"

wrap "LD_PRELOAD=$fixtures/template-ie.so"
out=$("$tmp/statictls" limit) || fail "limit with differing budgets failed: $out"
echo "$out"
echo "$out" | grep -q "^note .*different budgets" || fail "limit does not say so"
[ -d "$tmp/runs/3" ] || fail "the next size ran in no probe of its own"
echo "$out" | grep -q "^max_bytes *$expected " || fail "not $expected bytes"
rm -rf "$tmp/runs" && mkdir "$tmp/runs" || fail "cannot make $tmp/runs"
out=$("$tmp/statictls" limit --json) || fail "limit --json with differing budgets failed: $out"
echo "$out" | grep -q '"budgets_differ": true' || fail "the JSON does not say the budgets differ"
echo PASS
