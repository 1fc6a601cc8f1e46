#!/bin/sh
# preload-space.sh STATICTLS DLOPEN_REAL TEMPLATE_IE
# ld.so splits LD_PRELOAD at spaces and ':', so doctor's LD_PRELOAD fix can
# never name a library whose path holds one.  In a directory with a space
# the fix puts the directory in LD_LIBRARY_PATH (split only at ':' and ';')
# and preloads the file by name: verified on the command, and the line,
# pasted into sh -c, works (text and JSON).  Where that cannot work either
# (a directory with ':', a file name with a space) doctor says why, without
# a run, and says to preload a symbolic link: such a link, preloaded, works
# on the command.  The libraries are copies of template-ie.so (4096-aligned:
# it trips dlopened, and loads preloaded).
set -eu
statictls=$1 program=$2 template=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$dir/lib dir" "$dir/c:olon" "$dir/link"
cp "$template" "$dir/lib dir/template-ie.so"
cp "$template" "$dir/lib dir/x y.so"
cp "$template" "$dir/c:olon/template-ie.so"

# 1. A directory with a space: LD_LIBRARY_PATH holds it, verified.
lib="$dir/lib dir/template-ie.so"
rc=0
out=$("$statictls" doctor -- "$program" "$lib" 2>&1) || rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "doctor on a library under 'lib dir' exits $rc, expected 0 (a fix verified)"
line=$(printf '%s\n' "$out" | sed -n 's/^  1\. \(LD_LIBRARY_PATH=.* LD_PRELOAD=template-ie\.so .*\)$/\1/p')
[ -n "$line" ] || fail "no LD_LIBRARY_PATH=... LD_PRELOAD=template-ie.so line as fix 1"
printf '%s\n' "$out" | grep -q "LD_PRELOAD cannot name a path with a space or ':'" ||
    fail "the line's reason is not said"
rc=0
sh -c "$line" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "the pasted line exits $rc: $line"
rc=0
"$statictls" doctor --json -- "$program" "$lib" > "$dir/d.json" 2>/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "doctor --json exits $rc"
python3 - "$dir/d.json" <<'EOF' || fail "the JSON line does not work"
import json, subprocess, sys
fixes = [f for f in json.load(open(sys.argv[1]))["fixes"]
         if f["kind"] == "preload" and f["verified_on_command"] and f["works"]]
assert fixes and fixes[0]["line"].startswith("LD_LIBRARY_PATH="), fixes
rc = subprocess.run(["sh", "-c", fixes[0]["line"]], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode
assert rc == 0, "exit %d: %s" % (rc, fixes[0]["line"])
EOF
echo "ok: a directory with a space"

# 2. A directory with ':', a file name with a space: said, not run; a
#    symbolic link without either, preloaded, works on the command.
for lib in "$dir/c:olon/template-ie.so" "$dir/lib dir/x y.so"; do
    rc=0
    out=$("$statictls" doctor -- "$program" "$lib" 2>&1) || rc=$?
    printf '%s\n' "$out" | grep -qF "not run: LD_PRELOAD cannot name $lib: ld.so splits its value at spaces and ':'" ||
        { printf '%s\n' "$out"; fail "why LD_PRELOAD cannot name $lib is not said"; }
    printf '%s\n' "$out" | grep -q "make a symbolic link to it whose path has neither, and preload the link" ||
        fail "what works is not said for $lib"
    ln -sf "$lib" "$dir/link/lib.so"
    rc=0
    LD_PRELOAD="$dir/link/lib.so" "$program" "$lib" || rc=$?
    [ "$rc" -eq 0 ] || fail "preloaded through a symbolic link, $lib still fails (exit $rc)"
    echo "ok: $lib said, and a symbolic link works"
done
echo "PASS: LD_PRELOAD and paths with a space or ':'"
