#!/bin/bash
# Untar through several overlay servers in turn, round after round, printing each run's wall time
# and what its server process spent (on-CPU and run-queue time from /proc/PID/task/*/schedstat,
# context switches). Meant for comparing two builds of squashroot with fuse-overlayfs in one
# session: on a shared 2-core machine a round-robin of single runs drifts less than
# overlay-bench.sh's medians of separate invocations. Run as root, after
# `overlay-bench.sh --prepare WORKDIR` (it untars WORKDIR/tree.tar over WORKDIR/base.sqsh).
#
# Usage: bench/overlay/untar-rounds.sh ROUNDS WORKDIR SYSTEM...
#   SYSTEM: a squashroot checkout (its bin/squashroot serves the overlay; append :OPTS for mount
#           options, e.g. /work/main:threads=1) or "fuse-overlayfs" (over squashfuse)
# Finished runs are kept under WORKDIR/rounds.done until the end: deleting 10,000 files just
# before the next run slows that run's creates (see overlay-bench.sh, fresh()).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ROUNDS WORKDIR SYSTEM..." >&2; exit 2; }
rounds=$1 W=$2; shift 2
[ "$(id -u)" -eq 0 ] || { echo "untar-rounds: run as root" >&2; exit 1; }
[ -f "$W/tree.tar" ] && [ -f "$W/base.sqsh" ] || { echo "untar-rounds: run overlay-bench.sh --prepare $W first" >&2; exit 1; }
R="$W/rounds"
done_dir="$W/rounds.done"
unmount_all() { umount "$R/mnt" 2>/dev/null || true; umount "$R/sq0" 2>/dev/null || true; }
trap 'unmount_all; rm -rf "$R" "$done_dir"' EXIT

# schedstat of every thread of the given processes: on-CPU ns, run-queue ns, switches
sched() { for p in "$@"; do cat /proc/"$p"/task/*/schedstat; done | awk '{r += $1; w += $2; n += $3}
    END {printf "%d %d %d\n", r, w, n}'; }

one() { # SYSTEM
    local sys=$1 pids
    unmount_all
    if [ -d "$R" ]; then mkdir -p "$done_dir"; mv "$R" "$done_dir/$(date +%s%N)"; fi
    mkdir -p "$R/mnt" "$R/upper" "$R/sq0" "$R/work"
    if [ "$sys" = fuse-overlayfs ]; then
        squashfuse "$W/base.sqsh" "$R/sq0"
        fuse-overlayfs -o "lowerdir=$R/sq0,upperdir=$R/upper,workdir=$R/work" "$R/mnt" 2>/dev/null
        pids="$(pgrep -f "squashfuse $W/base.sqsh") $(pgrep -f "fuse-overlayfs.*$R/upper")"
    else
        local tree=${sys%%:*} opts=()
        [ "$tree" != "$sys" ] && opts=(-o "${sys#*:}")
        "$tree/bin/squashroot" mount "$W/base.sqsh" "$R/mnt" --upper "$R/upper" "${opts[@]}"
        pids=$(pgrep -f "java.*$R/mnt" | head -1)
    fi
    cat "$W/base.sqsh" > /dev/null   # the image in the page cache, as overlay-bench's WARM=yes
    local r0 w0 n0 r1 w1 n1 t0 t1
    read -r r0 w0 n0 < <(sched $pids)
    t0=$(date +%s.%N)
    mkdir "$R/mnt/untar"
    tar -C "$R/mnt/untar" -xf "$W/tree.tar"
    sync -f "$R/mnt/untar"
    t1=$(date +%s.%N)
    read -r r1 w1 n1 < <(sched $pids)
    printf '%-28s wall %6.2f s  server cpu %5.2f s  run-queue wait %5.2f s  switches %7d  load %s\n' \
        "$sys" "$(echo "$t1 - $t0" | bc)" "$(echo "scale=3; ($r1 - $r0) / 10^9" | bc)" \
        "$(echo "scale=3; ($w1 - $w0) / 10^9" | bc)" $((n1 - n0)) "$(cut -d' ' -f1 /proc/loadavg)"
    unmount_all
}

for ((i = 0; i < rounds; i++)); do
    for sys in "$@"; do one "$sys"; done
done
