#!/bin/sh
# help-texts.sh STATICTLS VERSION MANPAGE HARNESS_SOURCES
# --version; for every command `statictls --help` lists, `statictls help
# CMD` and `statictls CMD --help` print the same usage; and the man page
# (generated at build time from the same rows) has a section for each
# command listing every option its help lists, and the libc build options;
# its ENVIRONMENT names every variable the sources read from the user's
# environment (the settings, the commands' own getenv) and every STATICTLS_*
# variable read anywhere; FILES and EXAMPLES are there, each example a
# command --help lists.
set -eu
statictls=$1 version=$2 man=$3 sources=$4
"$statictls" --version | grep -qx "statictls $version" || { echo "FAIL: --version"; exit 1; }
commands=$("$statictls" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ "$(echo "$commands" | wc -l)" -ge 14 ] || { echo "FAIL: the commands listed: $commands"; exit 1; }
# A man page option tag as roff writes it: \fB\-\-align\fR.
roff() { printf '%s' "$1" | sed 's/-/\\\\-/g'; }
for c in $commands; do
    help=$("$statictls" help "$c")
    [ "$help" = "$("$statictls" "$c" --help)" ] || { echo "FAIL: help $c differs from $c --help"; exit 1; }
    echo "$help" | grep -q "^usage: statictls $c" || { echo "FAIL: no usage line for $c"; exit 1; }
    section=$(sed -n "/^\\.SS $c\$/,/^\\.S[SH] /p" "$man")
    [ -n "$section" ] || { echo "FAIL: the man page has no section for $c"; exit 1; }
    # The command's own options: those listed before the libc build's.
    options=$(echo "$help" | sed -n '/^Options/,/^$/s/^  \(-[-a-z]*\).*/\1/p')
    for o in $options; do
        printf '%s\n' "$section" | grep -q "^\\\\fB$(roff "$o")\\\\fR" ||
            { echo "FAIL: the man page's $c lacks $o"; exit 1; }
        n=$((${n:-0} + 1))
    done
done
for o in --glibc --musl --libc-root --libc-tree --allow-missing; do
    sed -n '/^\.SH LIBC BUILD OPTIONS/,/^\.SH /p' "$man" | grep -q "^\\\\fB$(roff "$o")\\\\fR" ||
        { echo "FAIL: the man page lacks $o"; exit 1; }
done
for section in ENVIRONMENT FILES EXAMPLES; do
    grep -q "^\.SH $section\$" "$man" || { echo "FAIL: the man page has no $section"; exit 1; }
done
# What 0 and 1 mean where a command has its own words for them.
for c in doctor headroom; do
    "$statictls" help $c | grep -q "^$c exits 0 when" || { echo "FAIL: help $c has no exit words"; exit 1; }
    grep -q "^$c exits 0 when" "$man" || { echo "FAIL: the man page has no exit words for $c"; exit 1; }
done
environment=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$man" | sed 's/\\-/-/g; s/\\fB//g; s/\\fR//g')
read=$( (grep -ho 'env_lookup([a-z_>-]*, "[A-Z_]*")' "$sources/base/settings.c"
         grep -rho 'getenv("[A-Z_]*")' "$sources/cli"
         grep -rho '\(env_lookup([a-z_>-]*, \|getenv(\)"STATICTLS_[A-Z_]*")' "$sources") |
       sed 's/.*"\([A-Z_]*\)")/\1/' | sort -u)
[ -n "$read" ] || { echo "FAIL: no variable found read in $sources"; exit 1; }
for var in $read; do
    printf '%s\n' "$environment" | grep -q -e "$var" -e "${var%_*}_\*" ||
        { echo "FAIL: the man page's ENVIRONMENT lacks $var"; exit 1; }
done
examples=$(sed -n '/^\.SH EXAMPLES/,/^\.SH /s/^\\fBstatictls \([a-z]*\).*/\1/p' "$man")
[ -n "$examples" ] || { echo "FAIL: no example in EXAMPLES"; exit 1; }
for c in $examples; do
    echo "$commands" | grep -qx "$c" || { echo "FAIL: the example runs $c, not a command"; exit 1; }
done
[ "${n:-0}" -ge 30 ] || { echo "FAIL: only ${n:-0} options found in the help texts"; exit 1; }
echo "PASS: $(echo "$commands" | wc -l) commands, $n of their options, $(echo "$read" | wc -w) variables and $(echo "$examples" | wc -l) examples in the man page"
