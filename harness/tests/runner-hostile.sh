#!/bin/sh
# runner-hostile.sh CHECK STATICTLS CC FIXTURES
# The case runner, publishing and scratch removal under attack; every
# hostile input is made here, at test time.  CHECK is one of:
#   smuggled-steps   a newline in a library path (a ${VAR} value, a case in
#                    a directory whose name holds one) never splits a step
#                    sent to the probe: no undeclared library is loaded (its
#                    constructor would leave a mark), and such paths load
#   expansion-cap    1,000 ${B} of a 100 kB value: refused at once, file:line
#   deep-scratch     a wheel member 40 directories deep: census ends and
#                    leaves no scratch (the old removal never ended)
#   publish-symlink  results/<platform> a symbolic link: report exits 2
#                    naming it, and the link's target is untouched
#   fuzz-out         --out dangling, or on a full disk (a tiny tmpfs, under
#                    `unshare -rm`): exit 2 before any case runs
#   threads-nproc    `threads` beyond the user's process limit: a skip (77
#                    for the run, and for load --threads) naming the limit,
#                    not a disagreement
#   open-files       ulimit -n 7: exit 2 saying so, nothing left in TMPDIR
# A check that cannot run here exits 77, saying why.
set -eu
check=$1 statictls=$2 cc=$3 fixtures=$4
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $check: $*"; exit 1; }

# run CODE REGEX CMD...: CMD exits CODE and its output matches REGEX.
run() {
    want=$1 regex=$2
    shift 2
    set +e
    out=$("$@" 2>&1)
    rc=$?
    set -e
    printf '%s\n' "$out"
    [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $(printf "%s" "$*" | cut -c1-300)"
    printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$regex" || fail "output lacks /$regex/"
}

# A library whose constructor leaves a mark at $1.
mark_lib() { # mark_lib OUT.so MARK
    printf '#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void mark(void) { int fd = open("%s", O_WRONLY | O_CREAT, 0644); if (fd >= 0) close(fd); }\n' "$2" > "$work/mark.c"
    "$cc" -shared -fPIC -o "$1" "$work/mark.c"
}

case $check in
smuggled-steps)
    mark_lib "$work/libmark.so" "$work/mark"
    printf 'lib x ${L}\nload x\nexpect trip 1 not-found\n' > "$work/smuggle.case"
    nl='
'
    # The old runner wrote "load:nosuch.so\nload:...libmark.so" to the probe:
    # two steps, the second loading the mark library, and the case passed.
    set +e
    "$statictls" run --define "L=nosuch.so${nl}load:$work/libmark.so" "$work/smuggle.case"
    rc=$?
    set -e
    [ ! -e "$work/mark" ] || fail "the probe loaded a library the case never declared"
    [ "$rc" = 0 ] || fail "exit $rc, expected 0 (step 1 not found, as the case expects)"
    # Directories whose names hold a newline, a tab and a backslash
    # sequence: the library loads, through the command line (load) and
    # through the probe's stdin (run), and nothing else does.
    odd="$work/dir${nl}load:x	\\n\\\\end"
    mkdir "$odd"
    mark_lib "$odd/libmark.so" "$work/mark"
    printf 'lib m ./libmark.so\nload m\nexpect loads\n' > "$odd/odd.case"
    run 0 "PASS every step loaded" "$statictls" run "$odd/odd.case"
    [ -e "$work/mark" ] || fail "the library in the odd directory did not load"
    rm "$work/mark"
    run 0 "loaded" "$statictls" load "$odd/libmark.so"
    [ -e "$work/mark" ] || fail "load: the library in the odd directory did not load"
    ;;
expansion-cap)
    awk 'BEGIN { printf "lib x "; for (i = 0; i < 1000; i++) printf "${B}"; printf "\nload x\nexpect loads\n" }' \
        > "$work/big.case"
    value=$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "b" }')
    run 2 "big.case:1: \\$\\{B\\} makes the case's words longer than 4194304 bytes in all" \
        "$statictls" run --define "B=$value" "$work/big.case"
    ;;
deep-scratch)
    command -v python3 >/dev/null || { echo "no python3 to write the wheel"; exit 77; }
    python3 - "$work/deep-1.0-py3-none-any.whl" "$fixtures/template-ie.so" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("/".join(["d"] * 40) + "/libdeep.so", open(sys.argv[2], "rb").read())
EOF
    mkdir "$work/tmp"
    # A watchdog, not a measure: the run takes well under a second; the old
    # removal never ended, with SIGTERM held off (hence -k).
    set +e
    out=$(TMPDIR="$work/tmp" timeout -k 5 100 "$statictls" census "$work/deep-1.0-py3-none-any.whl" 2>&1)
    rc=$?
    set -e
    printf '%s\n' "$out"
    [ "$rc" -le 1 ] || fail "census exited $rc (124 and 137: it never ended)"
    # the member was read: its scratch copy, 40 levels deep, was made
    printf '%s\n' "$out" | grep -q 'whl!/d/d/.*/libdeep\.so' || fail "the deep member was not judged"
    if printf '%s\n' "$out" | grep -q 'unreadable:'; then fail "a member was unreadable"; fi
    [ -z "$(ls -A "$work/tmp")" ] || fail "scratch left in TMPDIR: $(ls -A "$work/tmp")"
    ;;
publish-symlink)
    mkdir "$work/cases" "$work/elsewhere" "$work/elsewhere/sub"
    printf 'fixture a ie 100\nload a\nexpect loads\n' > "$work/cases/good.case"
    "$statictls" report --cases "$work/cases" --results "$work/results" >/dev/null
    platform=$(ls "$work/results")
    [ -n "$platform" ] || fail "the first report wrote nothing"
    echo theirs > "$work/elsewhere/README.md"
    echo deep > "$work/elsewhere/sub/file"
    rm -r "$work/results/$platform"
    ln -s ../elsewhere "$work/results/$platform"
    run 2 "results cannot be written: .*results/$platform is a symbolic link" \
        "$statictls" report --cases "$work/cases" --results "$work/results"
    [ -L "$work/results/$platform" ] || fail "the link was replaced"
    [ "$(cat "$work/elsewhere/README.md")" = theirs ] || fail "the link's target changed"
    [ "$(cat "$work/elsewhere/sub/file")" = deep ] || fail "a subdirectory moved out of the target"
    [ "$(ls -A "$work/elsewhere" | tr '\n' ' ')" = "README.md sub " ] || fail "the target changed"
    # A directory holding what statictls did not write is refused the same.
    rm "$work/results/$platform"
    mkdir "$work/results/$platform"
    echo mine > "$work/results/$platform/notes.txt"
    run 2 "holds \"notes.txt\", which statictls does not write there" \
        "$statictls" report --cases "$work/cases" --results "$work/results"
    [ "$(cat "$work/results/$platform/notes.txt")" = mine ] || fail "notes.txt changed"
    ;;
fuzz-out)
    ln -s "$work/nowhere" "$work/dangling"
    run 2 "--out $work/dangling: a symbolic link to nothing" \
        "$statictls" fuzz --count 1 --out "$work/dangling"
    mkdir "$work/full"
    if ! unshare -rm true 2>/dev/null; then
        echo "unshare -rm is not allowed here: no tmpfs to fill"
        exit 77
    fi
    # On a full disk the old start-up check wrote an empty file (which
    # needs no space), passed, and every finding was lost later.
    run 2 "--out $work/full/out: cannot write a file of 4096 bytes there: No space left on device" \
        unshare -rm sh -c 'mount -t tmpfs -o size=16k none "$1" &&
            { head -c 1048576 /dev/zero > "$1/filler" 2>/dev/null || true; } &&
            exec "$2" fuzz --count 1 --out "$1/out"' sh "$work/full" "$statictls"
    ;;
threads-nproc)
    printf 'title more threads than the user may start\nthreads 8\nfixture a ie 100\nload a\nexpect loads\n' \
        > "$work/threads.case"
    chmod 755 "$work"
    mkdir -m 1777 "$work/tmp"
    # RLIMIT_NPROC binds no root: as root the case runs as nobody.  Its
    # tasks are counted in a user namespace of its own where there is one
    # (Linux 5.14 on: only the tasks started in it count, whatever else the
    # user runs meanwhile); root without one counts nobody's, who runs
    # nothing else.
    as=""
    if [ "$(id -u)" = 0 ]; then
        command -v setpriv >/dev/null || { echo "root, and no setpriv to run as nobody"; exit 77; }
        as="setpriv --reuid 65534 --regid 65534 --clear-groups"
        $as test -x "$statictls" 2>/dev/null || { echo "nobody cannot run $statictls"; exit 77; }
    fi
    if $as unshare -r true 2>/dev/null; then
        as="$as unshare -r"
    elif [ -z "$as" ]; then
        echo "no user namespace (unshare -r) to count this test's tasks apart"
        exit 77
    fi
    command -v prlimit >/dev/null || { echo "no prlimit to set the process limit"; exit 77; }
    run 77 "SKIP step 1 \\(threads\\): refused by this machine, not by the case: pthread_create: Resource temporarily unavailable \\(thread [0-9]+ of 8; the process limit RLIMIT_NPROC is 4 tasks\\)" \
        env TMPDIR="$work/tmp" $as prlimit --nproc=4 "$statictls" run "$work/threads.case"
    run 77 "load: its threads step was refused by this machine, not by the steps: pthread_create" \
        env TMPDIR="$work/tmp" $as prlimit --nproc=4 "$statictls" load --threads 8 "$fixtures/template-ie.so"
    ;;
open-files)
    mkdir "$work/tmp"
    run 2 "the open-file limit \\(ulimit -n\\) is 7; statictls needs 64" \
        sh -c 'ulimit -n 7 && TMPDIR="$1" exec "$2" report --results "$1/../results"' sh "$work/tmp" "$statictls"
    [ -z "$(ls -A "$work/tmp")" ] || fail "left in TMPDIR: $(ls -A "$work/tmp")"
    [ ! -e "$work/results" ] || fail "a results directory was made"
    ;;
*)
    echo "runner-hostile.sh: unknown check $check"
    exit 2
    ;;
esac
echo "PASS: $check"
