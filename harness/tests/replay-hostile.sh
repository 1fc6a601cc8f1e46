#!/bin/sh
# replay-hostile.sh STATICTLS
# Valid traces that replay used to refuse with exit 3
# (internal error), and traces it must refuse with file:line and exit 2.
set -eu
statictls=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
header='trace	format=1	libc=glibc-2.36	machine=x86_64	exit=0	command=synthetic'
libc='object	seq=1	phase=startup	lmid=0	threads=1	modid=1	tls_size=144	tls_align=8	access=initial-exec	path=/lib/x86_64-linux-gnu/libc.so.6'
# object SEQ SIZE ALIGN PATH: an IE library dlopen'ed
object() {
    printf 'object\tseq=%s\tphase=dlopen\tlmid=0\tthreads=1\tmodid=2\ttls_size=%s\ttls_align=%s\taccess=initial-exec\tpath=%s\n' "$@"
}
. "$(dirname "$0")/lib-expect.sh"

printf '%s\n%s\n' "$header" "$libc" > "$dir/true.trace"
expect "a program that dlopens nothing" 0 "outcome: nothing to replay" -- \
    "$statictls" replay --emit "$dir/true.case" "$dir/true.trace"
[ ! -e "$dir/true.case" ] || { echo "FAIL: a case without steps was written"; exit 1; }

{ printf '%s\n%s\n' "$header" "$libc"
  object 2 136 16 /usr/lib/libgomp.so.1
  printf 'close\tseq=3\tmodid=2\tpath=/usr/lib/libgomp.so.1\n'
  object 4 136 16 /usr/lib/libgomp.so.1; } > "$dir/reopen.trace"
expect "dlopen, dlclose, dlopen again" 0 "2 +close +step 1 .*3 +load +libgomp.so.1 .*outcome: loads" -- \
    "$statictls" replay "$dir/reopen.trace"

{ printf '%s\n%s\n' "$header" "$libc"
  object 2 64 8 "/a/lib a.so"
  object 3 64 8 "/a/lib_a.so"
  object 4 32 8 "/opt/x/"; } > "$dir/alike.trace"
expect "names that sanitise alike, an empty base name" 0 "lib_a.so~2 .*object .*outcome: loads" -- \
    "$statictls" replay "$dir/alike.trace"

{ printf '%s\n%s\n' "$header" "$libc"; object 2 64 3 /x.so; } > "$dir/align.trace"
expect "tls_align=3" 2 "align.trace:3: tls_align 3 is not a power of two" -- \
    "$statictls" replay "$dir/align.trace"

{ printf '%s\n%s\n' "$header" "$libc"; object 2 2147483648 64 /big.so; } > "$dir/big.trace"
expect "a 2 GB TLS block" 2 "big.trace:3: a TLS block of 2147483648 bytes" -- \
    "$statictls" replay "$dir/big.trace"

{ printf '%s\n%s\n' "$header" "$libc"
  i=2; while [ $i -le 4002 ]; do object $i 1 1 "/many/lib$i.so"; i=$((i + 1)); done; } > "$dir/many.trace"
expect "more steps than a case holds" 2 "many.trace: 4001 steps to replay; a case holds at most 4000" -- \
    "$statictls" replay "$dir/many.trace"

printf '%s\n%s\n' "$header" "$header" > "$dir/twice.trace"
expect "two trace lines" 2 "twice.trace:2: a second trace line" -- \
    "$statictls" replay "$dir/twice.trace"
echo PASS
