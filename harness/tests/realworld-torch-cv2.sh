#!/bin/sh
# realworld-torch-cv2.sh STATICTLS
# The real `import torch, cv2` (Debian's python3-torch and python3-opencv):
# headroom's needed_bytes equals what the census of the objects it loaded
# predicts, found in 3 runs; at one byte less glibc names the object.
statictls=$1
python=/usr/bin/python3
sh "$(dirname "$0")/torch-cv2-here.sh" || exit $?
set -eu
out=$("$statictls" headroom -- "$python" -c 'import torch, cv2')
echo "$out"
needed=$(echo "$out" | sed -n 's/^needed_bytes *\([0-9]*\) .*/\1/p')
predicted=$(echo "$out" | sed -n 's/^predicted *\([0-9]*\) .*/\1/p')
[ -n "$needed" ] && [ "$needed" = "$predicted" ] || { echo "FAIL: needed $needed, predicted $predicted"; exit 1; }
echo "$out" | grep -q "cannot allocate memory in static TLS block" || { echo "FAIL: no message"; exit 1; }
echo "$out" | grep -q "^runs *3 (prediction verified)" || { echo "FAIL: not 3 runs"; exit 1; }
echo "PASS"
