#!/bin/sh
# census-gnu-hash-chain.sh STATICTLS CC
# A library whose DT_GNU_HASH points at a table of one bucket and a chain
# of even words (none ends it) as long as census's symbol limit: census
# reads the chain in blocks and answers at once; read a word at a time, it
# took libelf millions of chunks, and minutes (the test's TIMEOUT).
set -eu
statictls=$1 cc=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/chain.c" <<'C'
__thread int tv = 1;
/* nbuckets 1, symoffset 0, no bloom words, bucket 0 -> symbol 1, then
   a chain of zero words */
const unsigned chain_table[4500000] = {1, 0, 0, 0, 1};
int get(void) { return tv + (int)chain_table[7]; }
C
"$cc" -shared -fPIC -O1 -Wl,--hash-style=gnu -o "$dir/chain.so" "$dir/chain.c"
python3 - "$dir/chain.so" <<'PY'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
assert data[4] == 2 and data[5] == 1, "a 64-bit little-endian object"
shoff, = struct.unpack_from('<Q', data, 0x28)
shentsize, shnum = struct.unpack_from('<HH', data, 0x3a)
secs = [struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize) for i in range(shnum)]
dynsym = [s for s in secs if s[1] == 11][0]
strs = [s for i, s in enumerate(secs) if i == dynsym[6]][0]
addr = None
for i in range(dynsym[5] // 24):
    name, info, other, shndx, value, size = struct.unpack_from('<IBBHQQ', data, dynsym[4] + 24 * i)
    end = data.index(b'\0', strs[4] + name)
    if data[strs[4] + name:end] == b'chain_table':
        addr = value
dyn = [s for s in secs if s[1] == 6][0]
patched = False
for i in range(0, dyn[5], 16):
    tag, val = struct.unpack_from('<qQ', data, dyn[4] + i)
    if tag == 0x6ffffef5:  # DT_GNU_HASH
        struct.pack_into('<qQ', data, dyn[4] + i, tag, addr)
        patched = True
assert addr and patched
open(path, 'wb').write(data)
PY
set +e
out=$("$statictls" census "$dir/chain.so")
rc=$?
set -e
echo "$out"
[ "$rc" = 0 ] || { echo "FAIL: exit $rc, expected 0 (it fits)"; exit 1; }
echo "$out" | grep -q "^1 files, 1 ELF, 1 with TLS" || { echo "FAIL: counts"; exit 1; }
