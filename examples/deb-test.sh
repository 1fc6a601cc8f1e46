#!/bin/sh
# deb-test.sh BUILD CPACK
# The .deb as `cpack -G DEB` makes it from this build: its Depends computed
# (libc6, libelf1, libjansson4 with versions, and libarchive, which census
# dlopens; not libc6-i386, whose libc the i386 probes never use), a
# Maintainer that names the project, the MIT license as LICENSE and as
# Debian's copyright file, every ELF file stripped, and the program working
# from the unpacked package.  Skips (77) without dpkg-deb and dpkg-shlibdeps.
set -eu
build=$1 cpack=$2
for tool in dpkg-deb dpkg-shlibdeps readelf; do
    command -v "$tool" >/dev/null || { echo "SKIP: no $tool here (a Debian or Ubuntu tool)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" > "$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$tmp"/out/statictls_*.deb)
dpkg-deb -I "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
for want in 'libarchive13' 'libc6 (>= ' 'libelf1 (>= ' 'libjansson4 (>= '; do
    case ", $depends" in *", $want"* | *"| $want"*) ;; *) fail "Depends lacks $want: $depends" ;; esac
done
case $depends in *libc6-i386*) fail "Depends names libc6-i386: $depends" ;; esac
[ "$(dpkg-deb -f "$deb" Maintainer)" = "statictls developers" ] ||
    fail "Maintainer is $(dpkg-deb -f "$deb" Maintainer)"

dpkg-deb -c "$deb" > "$tmp/contents"
for f in ./usr/share/doc/statictls/copyright ./usr/share/doc/statictls/LICENSE ./usr/bin/statictls; do
    grep -q " $f\$" "$tmp/contents" || fail "the package lacks $f"
done
dpkg-deb -x "$deb" "$tmp/root"
grep -q '^MIT License' "$tmp/root/usr/share/doc/statictls/LICENSE" || fail "LICENSE is not the MIT license"
grep -q '^License: Expat$' "$tmp/root/usr/share/doc/statictls/copyright" || fail "copyright names no Expat license"
grep -q '^ Permission is hereby granted' "$tmp/root/usr/share/doc/statictls/copyright" ||
    fail "copyright lacks the license's text"

# Stripped: no symbol table and no debug information in any ELF file of
# statictls's own (the sysroots' copies are Debian's files, as Debian ships
# them: crt files and archives keep the symbols a link needs).
elves=0
for f in $(find "$tmp/root" -type f ! -path "*/lib/statictls/sysroots/*"); do
    [ "$(head -c 4 "$f")" = "$(printf '\177ELF')" ] || continue
    elves=$((elves + 1))
    if readelf -W -S "$f" | grep -q -e ' \.symtab ' -e ' \.debug_info '; then
        fail "${f#"$tmp/root"} is not stripped"
    fi
done
[ "$elves" -gt 0 ] || fail "no ELF file in the package"

# What was stripped still works, from where the package put it.
"$tmp/root/usr/bin/statictls" budget > "$tmp/budget.txt" || fail "the packaged statictls budget failed"
"$tmp/root/usr/bin/statictls" limit --json > "$tmp/limit.json" || fail "the packaged statictls limit failed"
echo "PASS: $(basename "$deb"): Depends: $depends; $elves ELF files stripped; LICENSE and copyright"
