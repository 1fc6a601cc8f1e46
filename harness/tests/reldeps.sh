#!/bin/sh
# reldeps.sh STATICTLS CC
# dlclose keeps what a staying object's relocations bound to outside its
# own DT_NEEDED closure (glibc's l_reldeps, elf/dl-lookup.c add_dependency):
# root needs liba and libb; liba calls fb, which only libb defines, so
# liba's binding makes libb its dependency.  dlopen(liba) keeps liba open
# after root is closed, and with it libb: the next module takes id 4, not
# libb's 3.  The case compares every step with the model.  Everything is
# built here, at test time.
set -eu
statictls=$1 cc=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
printf '__thread int tb = 1;\nint fb(void) { return tb; }\n' > b.c
printf '__thread int ta = 2;\nint fb(void);\nint fa(void) { return ta + fb(); }\n' > a.c
printf 'int froot(void) { return 0; }\n' > root.c
printf '__thread int tc = 3;\nint fc(void) { return tc; }\n' > c.c
"$cc" -shared -fPIC -o libb.so b.c
"$cc" -shared -fPIC -o liba.so a.c
# shellcheck disable=SC2016 # $ORIGIN is the loader's
"$cc" -shared -fPIC -o libroot.so root.c -Wl,--no-as-needed -L. -la -lb -Wl,-rpath,'$ORIGIN'
"$cc" -shared -fPIC -o libc3.so c.c
cat > reldeps.case <<'CASE'
title dlclose keeps what a staying object bound to (l_reldeps)
libc glibc
lib root ./libroot.so
lib a ./liba.so
lib c ./libc3.so
load root
load a
close root
load c
expect model
CASE
out=$("$statictls" run reldeps.case) || { echo "$out"; echo "FAIL: the model disagrees"; exit 1; }
echo "$out"
# The measured ids, so that the case cannot pass by both sides forgetting.
echo "$out" | grep -Eq '^ +4 +load +c +loaded +- +4 ' ||
    { echo "FAIL: libc3.so did not take module id 4 (libb.so was unloaded?)"; exit 1; }
echo "PASS: libb.so stays as liba.so's binding"
