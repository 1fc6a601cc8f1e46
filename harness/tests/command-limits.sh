#!/bin/sh
# command-limits.sh STATICTLS DLOPEN_REAL TEMPLATE_IE
# The real commands of headroom, doctor and trace are bounded: a run that
# outlives --timeout (scaled by STATICTLS_TIMEOUT_FACTOR) is killed with its
# whole process group, statictls says so and exits 4 (not 1: a slow
# command is not a failing one), leaving no scratch directory; and a
# command that writes 150 MB to stderr costs statictls no more than a few
# MB, with glibc's message still found after it.
set -eu
statictls=$1 program=$2 template=$3
. "$(dirname "$0")/lib-expect.sh"
scratch_tmpdir

# The process pid is gone (or a zombie nobody reaped yet): SIGKILL takes
# effect as soon as the kernel schedules it; waits up to 20 s for that.
gone() {
    i=0
    while [ -e "/proc/$1" ] && [ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]; do
        i=$((i + 1))
        [ "$i" -lt 200 ] || { echo "FAIL: $2: process $1 of its group still runs"; exit 1; }
        sleep 0.1
    done
}

# A command that never ends, with a child in its process group that
# would outlive it: its pid in $dir/pid.
# shellcheck disable=SC2016 # $0 and $! are the inner shell's
hang='sleep 100000 & echo $! > "$0"; wait'
for c in headroom doctor trace; do
    rm -f "$dir/pid" "$dir/t.trace"
    set -- "$c"
    [ "$c" != trace ] || set -- trace -o "$dir/t.trace"
    expect "$c --timeout 1" 4 \
        "statictls: $c: sh did not end within 1 s.*killed with its process group.*raise --timeout or STATICTLS_TIMEOUT_FACTOR" \
        -- "$statictls" "$@" --timeout 1 -- sh -c "$hang" "$dir/pid"
    gone "$(cat "$dir/pid")" "$c --timeout 1"
    [ ! -e "$dir/t.trace" ] || { echo "FAIL: trace wrote a trace of a command it killed"; exit 1; }
done
expect "STATICTLS_TIMEOUT_FACTOR scales --timeout" 4 "sleep did not end within 1 s" -- \
    env STATICTLS_TIMEOUT_FACTOR=0.01 "$statictls" headroom --timeout 100 -- sleep 100000
expect "the default timeout is documented" 0 "--timeout S +each run of CMD ends after S seconds.*default 300" -- \
    "$statictls" help doctor

# 150 MB on stderr, on one line, before glibc's message: statictls's
# largest resident size stays small, and the message is found.
# shellcheck disable=SC2016
noisy='head -c 150000000 /dev/zero | tr "\0" x >&2; echo >&2; exec "$0" "$@"'
python3 - "$statictls" doctor -- sh -c "$noisy" "$program" "$template" <<'EOF'
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
out = done.stdout.decode("utf-8", "replace")
rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(out)
print("largest resident size of statictls and its command: %.1f MB" % rss_mb)
assert done.returncode == 0, "doctor exits %d" % done.returncode
assert "cannot allocate memory in static TLS block" in out, "glibc's message not found"
assert "1. LD_PRELOAD=" in out, "no fix"
assert rss_mb < 64, "statictls kept its command's stderr: %.1f MB resident" % rss_mb
EOF
echo "ok: 150 MB of stderr, the message found, little memory"
echo PASS
