#!/bin/sh
# torch-cv2-here.sh: exits 77 (skipped), saying why, where Debian's
# python3-torch and python3-opencv are not installed; 0 where they are.
if ! /usr/bin/python3 -c 'import torch, cv2' >/dev/null 2>&1; then
    echo "python3-torch and python3-opencv are not installed (apt-get install python3-torch python3-opencv)"
    exit 77
fi
