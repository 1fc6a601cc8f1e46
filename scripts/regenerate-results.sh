#!/bin/sh
# Regenerates everything under results/ from scratch, on this machine:
# fetches the glibc sysroots (x86_64 and every other architecture), builds, and for each libc
# build (four glibc releases on each architecture, the glibc trees of
# scripts/build-glibc.sh in the cache and -DSTATICTLS_LIBC_TREES, musl) runs
# `statictls report` (budget, limits, cases) into results/<platform>/; then `statictls
# sweep` (tunables matrix, results/README.md and the plot's data), gnuplot
# for the SVG, scripts/torch-cv2-table.sh (the XTuner/OpenCV table), and
# `statictls bench` into results/bench.txt.
#
#   scripts/regenerate-results.sh [BUILD_DIR]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}

"$src/scripts/bootstrap.sh" "$build"
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "regenerate-results: installing gnuplot-nox for the plot"
    apt-get install -y -q gnuplot-nox >/dev/null
fi

statictls=$build/statictls
for dir in "$build"/glibc-*/ "$build"/tree-*/ "$build"/musl/; do
    [ -f "$dir/root" ] || continue # not built here (cmake says why)
    case $(basename "$dir") in
    musl) option=--musl ;;
    tree-*) option="--libc-tree $(cat "$dir/tree")" ;;
    *) option="--glibc $(basename "$dir" | sed 's/^glibc-//')" ;;
    esac
    echo "== report $option"
    "$statictls" report $option --results "$src/results"
done
echo "== sweep"
"$statictls" sweep --results "$src/results"
(cd "$src/results" && gnuplot max-ie-vs-optional.gp)
echo "== the torch + cv2 table"
"$src/scripts/torch-cv2-table.sh" "$build"
echo "== bench"
"$statictls" bench | tee "$src/results/bench.txt"
echo "results/ regenerated"
