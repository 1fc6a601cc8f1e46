#!/bin/sh
# check-layers.sh HARNESS_DIR: the harness's folders are its layers.
# HARNESS_DIR/LAYERS names them, lowest first.  Every folder of HARNESS_DIR
# is a layer (tests/ aside: the program's own end-to-end tests), no source
# lies outside one, no header name is in two, and every #include "..." in a
# layer's files names a header of that layer or of a lower one.  Prints
# each violation as FILE:LINE: WHY and exits 1; 0 when there is none.
set -eu
root=${1:?usage: check-layers.sh HARNESS_DIR}
[ -r "$root/LAYERS" ] || { echo "$root/LAYERS: cannot read" >&2; exit 2; }
layers=$(grep -v '^#' "$root/LAYERS" | grep . || true)
[ -n "$layers" ] || { echo "$root/LAYERS: names no layer" >&2; exit 2; }

bad=0
for dir in "$root"/*/; do
    name=$(basename "$dir")
    [ "$name" = tests ] && continue
    echo "$layers" | grep -qx "$name" || {
        echo "$root/$name/: a folder LAYERS does not name"; bad=1; }
done
for f in "$root"/*.c "$root"/*.h; do
    [ -e "$f" ] && { echo "$f: a source outside every layer"; bad=1; }
done

# "RANK FILE" for each source, and "RANK NAME" for each header, in the layer
# order; then awk reads every source's includes.
list=$(mktemp) && trap 'rm -f "$list"' EXIT
rank=0
for layer in $layers; do
    rank=$((rank + 1))
    [ -d "$root/$layer" ] || { echo "$root/LAYERS: $layer: no such folder" >&2; bad=1; continue; }
    find "$root/$layer" -type f \( -name '*.c' -o -name '*.h' \) | sort |
        while read -r f; do echo "$rank $layer $f"; done
done >"$list"
awk -v bad="$bad" '
    { rank[NR] = $1; layer[NR] = $2; file[NR] = $3; n = NR
      if ($3 ~ /\.h$/) {
          h = $3; sub(/.*\//, "", h)
          if (h in hrank) { print $3 ": header name also in " hfile[h]; bad = 1 }
          hrank[h] = $1; hlayer[h] = $2; hfile[h] = $3
      } }
    END {
        for (i = 1; i <= n; i++) {
            line = 0
            while ((getline text < file[i]) > 0) {
                line++
                if (text !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
                inc = text; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
                h = inc; sub(/.*\//, "", h)
                if (!(h in hrank)) {
                    print file[i] ":" line ": includes \"" inc "\", which no layer holds"; bad = 1
                } else if (hrank[h] > rank[i]) {
                    print file[i] ":" line ": " layer[i] " includes \"" inc "\" from " hlayer[h] \
                          ", a higher layer"; bad = 1
                }
            }
            close(file[i])
        }
        exit bad
    }' "$list"
