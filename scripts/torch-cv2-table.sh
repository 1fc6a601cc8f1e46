#!/bin/sh
# The XTuner/OpenCV table (results/torch-cv2/table.md, explained in
# docs/guide-imports.md), from scratch.  With Debian's python3-torch and
# python3-opencv installed it traces the real
# `python3 -c 'import torch, cv2'` into cases/torch-cv2.trace and measures
# its headroom (results/torch-cv2/headroom.txt); without them it reuses
# those committed measurements.  Then it replays the trace with one byte
# less headroom than the import needs, on the 2.17 model and every glibc
# built here, as is and with each fix of the object that trips:
# results/torch-cv2/table.md, and the reproducer cases/torch-cv2-squeezed.case.
#
#   scripts/torch-cv2-table.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
out=results/torch-cv2
python=/usr/bin/python3
mkdir -p "$out"
if "$python" -c 'import torch, cv2' >/dev/null 2>&1; then
    "$build/statictls" trace -o cases/torch-cv2.trace -- "$python" -c 'import torch, cv2'
    "$build/statictls" headroom -- "$python" -c 'import torch, cv2' > "$out/headroom.txt"
    "$build/statictls" census /usr/lib/python3/dist-packages/torch /usr/lib/python3/dist-packages/cv2* \
        /usr/lib/x86_64-linux-gnu/libgomp.so.1 /usr/lib/x86_64-linux-gnu/libGLdispatch.so.0 \
        > "$out/census.txt"
else
    echo "torch-cv2-table: python3-torch/python3-opencv not installed; reusing $out/headroom.txt"
fi
cat "$out/headroom.txt"
needed=$(sed -n 's/^needed_bytes *\([0-9]*\) .*/\1/p' "$out/headroom.txt")
# The object glibc names at one byte less, without directory and version.
tripping=$(sed -n 's|^at .*[ /]\([^/ ]*\.so[.0-9]*\): cannot allocate memory.*|\1|p' "$out/headroom.txt" |
    sed 's/\.so.*//')
[ -n "$needed" ] && [ -n "$tripping" ] || { echo "torch-cv2-table: cannot read $out/headroom.txt"; exit 1; }
squeeze=$((needed - 1))
"$build/statictls" replay --squeeze "$squeeze" --emit cases/torch-cv2-squeezed.case \
    cases/torch-cv2.trace | tail -n 1
{
    echo "Replays of cases/torch-cv2.trace with $squeeze bytes of headroom (the import needs"
    echo "$needed), fixes applied to $tripping; written by scripts/torch-cv2-table.sh."
    echo
    "$build/statictls" replay --table "$tripping" --squeeze "$squeeze" cases/torch-cv2.trace
} > "$out/table.md"
cat "$out/table.md"
