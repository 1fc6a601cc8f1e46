#!/bin/sh
# census-wheel-local-header.sh STATICTLS CENSUS_KIT
# A wheel whose member's local header says 200 bytes where the central
# directory says the whole library (4000 bytes of initial-exec TLS):
# pip's zipfile reads the directory's sizes and installs the whole
# library, so the census judges that (exit 1, does not fit), never the
# 200 bytes libarchive would take from the header (an unreadable member,
# and "fits").  The same wheel with an honest header reads the same.
set -eu
statictls=$1 kit=$2
. "$(dirname "$0")/lib-census.sh"
"$kit" fixture "$template" "$dir/fat.so" 4000 8
python3 - "$dir" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
elf = open(d + '/fat.so', 'rb').read()
name = b'pkg/_ext.so'
crc = zlib.crc32(elf)
for wheel, lsize in (('honest', len(elf)), ('lying', 200)):
    lcrc = zlib.crc32(elf[:lsize])
    local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0, lcrc, lsize, lsize,
                        len(name), 0) + name
    body = local + elf
    cd = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0, crc, len(elf),
                     len(elf), len(name), 0, 0, 0, 0, 0o100644 << 16, 0) + name
    eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(cd), len(body), 0)
    with open('%s/%s-1.0-py3-none-any.whl' % (d, wheel), 'wb') as f:
        f.write(body + cd + eocd)
PY
for w in honest lying; do
    run 1 "$dir/$w-1.0-py3-none-any.whl"
    printf '%s\n' "$out" | grep -q "^2 files, 1 ELF, 1 with TLS, 1 need static TLS, 0 unreadable" ||
        fail "$w: counts"
    member="$w-1.0-py3-none-any.whl!/pkg/_ext.so"
    printf '%s\n' "$out" | grep -q "^ *4000 .*initial-exec .*$member$" ||
        fail "$w: the member's TLS block"
done
