#!/bin/sh
# glibc-only.sh STATICTLS -- COMMAND...
# Runs COMMAND only where the host's libc is glibc; elsewhere (Alpine's
# musl) exits 77, skipped, saying why.  For tests of glibc's own behaviour
# on the host: rtld-audit tracing, the static TLS surplus of real programs.
statictls=$1
shift 2
# A budget that fails is a failure, not a reason to skip.
json=$("$statictls" budget --json) || { echo "statictls budget failed"; exit 1; }
libc=$(echo "$json" | sed -n 's/^ *"libc": "\(.*\)",$/\1/p' | head -n 1)
if [ -n "$libc" ] && [ "$libc" != "glibc" ]; then
    echo "the host's libc is ${libc:-unknown}, not glibc: this test is about glibc"
    exit 77
fi
exec "$@"
