#!/bin/sh
# realworld-doctor-torch-cv2.sh STATICTLS
# The guide's proof (docs/guide-imports.md): Debian's `import torch, cv2` with 151 bytes of
# headroom left fails at libGLdispatch; doctor finds and verifies on the
# command the torch+cv2 table's fixes (LD_PRELOAD, loaded first,
# optional_static_tls) and validates the rebuild with TLS descriptors by
# replay.  The census of the same packages says demand 152.
statictls=$1
python=/usr/bin/python3
sh "$(dirname "$0")/torch-cv2-here.sh" || exit $?
set -eu
fail() { echo "FAIL: $1"; exit 1; }
out=$("$statictls" doctor --squeeze 151 -- "$python" -c 'import torch, cv2') || fail "doctor exits $?"
echo "$out"
echo "$out" | grep -q "^as is .*exit 1 .*libGLdispatch.so.0: cannot allocate memory in static TLS block" || fail "as is"
echo "$out" | grep -q "^rule  *size: .*libGLdispatch.so.0" || fail "the rule"
echo "$out" | grep -q "^  1\. LD_PRELOAD=[^ ]*libGLdispatch.so.0 $python -c 'import torch, cv2'$" || fail "LD_PRELOAD"
echo "$out" | grep -q "^  [0-9]\. GLIBC_TUNABLES=glibc.rtld.optional_static_tls=[0-9]* " || fail "the tunable"
echo "$out" | grep -q "^  [0-9]\. load [^ ]*libGLdispatch.so.0 before the rest" || fail "loaded first"
echo "$out" | grep -q "^  [0-9]\. rebuild libGLdispatch.so.0 with TLS descriptors" || fail "the rebuild"
dist=/usr/lib/python3/dist-packages
out=$("$statictls" census --policy glibc-2.36 "$dist/torch" "$dist"/cv2*.so)
echo "$out"
echo "$out" | grep -q "demand 152 with padding" || fail "census demand"
echo "PASS"
