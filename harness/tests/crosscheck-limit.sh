#!/bin/sh
# crosscheck-limit.sh STATICTLS CC [--glibc VERSION]   (CC may be several words)
# `statictls limit` says N.  Build N- and (N+1)-byte initial-exec libraries
# with the compiler, the way a user would, and load them through
# `statictls load`: N must load, N+1 must fail with the static TLS message.
# Options after CC (--glibc VERSION) go to both commands.
set -eu
statictls=$1 cc=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

status=0
json=$("$statictls" limit --json "$@") || status=$?
[ "$status" -ne 77 ] || exit 77 # that glibc is not built here; statictls said why
n=$(echo "$json" | sed -n 's/^ *"max_bytes": \([0-9]*\),*$/\1/p')
[ -n "$n" ] || { echo "no max_bytes from statictls limit"; exit 1; }
echo "statictls limit: max_bytes = $n"

build() { # build SIZE: a library with a SIZE-byte initial-exec block
    printf '%s\n' "__thread char block[$1] __attribute__((tls_model(\"initial-exec\")));" \
        'char *touch(void) { return block; }' > "$dir/ie$1.c"
    $cc -shared -fPIC -O2 -o "$dir/libie$1.so" "$dir/ie$1.c" # $cc unquoted: it may be several words
}
build "$n"
build $((n + 1))

"$statictls" load "$@" "$dir/libie$n.so"
if out=$("$statictls" load "$@" "$dir/libie$((n + 1)).so"); then
    echo "$out"
    echo "FAIL: a compiled $((n + 1))-byte IE library loaded"
    exit 1
fi
echo "$out"
echo "$out" | grep -q "libie$((n + 1)).so: cannot allocate memory in static TLS block"
echo "PASS: $n bytes load, $((n + 1)) bytes fail"
