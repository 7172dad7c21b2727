#!/bin/bash
# Overlay benchmarks: our overlay (squashroot mount --upper) against fuse-overlayfs over
# squashfuse and kernel overlayfs over squashfuse, on the same images in one session.
# Run as root on an otherwise idle node (drop_caches, kernel mounts). Prints a markdown table;
# docs/benchmarks.md quotes it.
#
# Usage: bench/overlay/overlay-bench.sh [--prepare] [WORKDIR]   (default /var/tmp/sqbench-overlay)
#   --prepare only builds the inputs (kept in WORKDIR and reused by later runs).
#   SIZE_MB=1024 FILES=10000 LAYERS="1 10 40" PYTHON_TREE=/path/to/python/prefix RUNS=3
#   WORKLOADS="seqwrite untar copyup copyupsync walk" COLD=yes   (subsets: LAYERS="" skips the lookups)
#   WARM=yes: read the images into the page cache before each timed write workload
#   The workload and lookup rows run ours, fuse-overlayfs and kernel overlayfs in turn, RUNS rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd -P)
prepare=no
if [ "${1:-}" = --prepare ]; then prepare=yes; shift; fi
sq="$here/bin/squashroot"
W=${1:-/var/tmp/sqbench-overlay}
SIZE_MB=${SIZE_MB:-1024}
FILES=${FILES:-10000}
LAYERS=${LAYERS-"1 10 40"}
RUNS=${RUNS:-3}
WORKLOADS=${WORKLOADS:-"seqwrite untar copyup copyupsync walk"}
COLD=${COLD:-yes}
WARM=${WARM:-no}
PYTHON_TREE=${PYTHON_TREE:-}
[ "$(id -u)" -eq 0 ] || { echo "overlay-bench: run as root (drop_caches, kernel overlayfs)" >&2; exit 1; }
for t in mksquashfs squashfuse fuse-overlayfs; do
    command -v $t >/dev/null || { echo "overlay-bench: $t missing (scripts/install-deps.sh)" >&2; exit 1; }
done
mkdir -p "$W"
exec 9> "$W/.lock"
flock -n 9 || { echo "overlay-bench: another run uses $W" >&2; exit 1; }
MOUNTS=()
cleanup() {
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null || true
    done
    MOUNTS=()
}
trap 'cleanup; rm -rf "$W/done"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# ---- inputs, built once ------------------------------------------------------------------
build_images() {
    [ -f "$W/base.sqsh" ] && return
    rm -rf "$W/src" && mkdir -p "$W/src/tree"
    head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$W/src/big.bin"
    # a tree for the metadata walk and the cold reads: FILES files of 1-16 KiB in 100 dirs
    python3 - "$W/src/tree" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(1)
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        f.write(os.urandom(r.randint(1024, 16384)))
PY
    tar -C "$W/src" -cf "$W/tree.tar" tree
    mksquashfs "$W/src" "$W/base.sqsh" -comp zstd -b 1M -quiet -no-progress
    # lookup layers: FILES files spread over N layers, same names in total for every N
    for n in $LAYERS; do
        for ((l = 0; l < n; l++)); do
            d="$W/layers$n/src$l/d"
            mkdir -p "$d"
            for ((i = l; i < FILES; i += n)); do : > "$d/f$i"; done
            mksquashfs "$W/layers$n/src$l" "$W/layers$n/l$l.sqsh" -comp zstd -quiet -no-progress
        done
    done
    if [ -n "$PYTHON_TREE" ]; then
        mksquashfs "$PYTHON_TREE" "$W/python.sqsh" -comp zstd -b 1M -quiet -no-progress \
            -e lib/python3.11/test
    fi
}

# ---- mounting the three systems over a list of images (topmost first) -------------------
# mount_sys SYSTEM MNT UPPER IMAGE...
mount_sys() {
    local sys=$1 mnt=$2 upper=$3; shift 3
    mkdir -p "$mnt" "$upper"
    case $sys in
        ours)
            local args=("$1" "$mnt" --upper "$upper"); shift
            for img in "$@"; do args+=(--lower "$img"); done
            "$sq" mount "${args[@]}"
            MOUNTS+=("$mnt")
            ;;
        fuse-overlayfs|kernel)
            local lowers="" i=0
            for img in "$@"; do
                local m="$upper.sq$i"; mkdir -p "$m"
                squashfuse "$img" "$m"; MOUNTS+=("$m")
                lowers="${lowers:+$lowers:}$m"; i=$((i + 1))
            done
            mkdir -p "$upper.work"
            if [ "$sys" = kernel ]; then
                mount -t overlay overlay -o "lowerdir=$lowers,upperdir=$upper,workdir=$upper.work" "$mnt"
            else
                fuse-overlayfs -o "lowerdir=$lowers,upperdir=$upper,workdir=$upper.work" "$mnt"
            fi
            MOUNTS+=("$mnt")
            ;;
        readonly)
            "$sq" mount "$1" "$mnt"; MOUNTS+=("$mnt") ;;
        squashfuse)
            squashfuse "$1" "$mnt"; MOUNTS+=("$mnt") ;;
    esac
}

# A finished run's files are deleted only when the script ends. ext4 without a journal (this
# project's build machine) skips inodes freed in the last 60-300 s when it allocates one, with a
# buffer lookup for each (find_inode_bit -> recently_deleted): deleting the previous run's
# 10,000 files just before the next untar made every create of that run scan past them (60% of
# the serving process's CPU under perf), whichever system came next. Big files go at once (one
# inode each, and the disk space is wanted).
fresh() {
    cleanup
    if [ -d "$W/run" ]; then
        find "$W/run" -xdev -type f -size +1M -delete 2>/dev/null || true
        mkdir -p "$W/done" && mv "$W/run" "$W/done/$(date +%s%N)"
    fi
    mkdir -p "$W/run"
}

# ---- workloads: each prints seconds --------------------------------------------------------
w_seqwrite() { local t=$(now); dd if=/dev/zero of="$1/w.bin" bs=1M count="$SIZE_MB" conv=fsync status=none; elapsed "$t"; }
w_untar() { local t=$(now); mkdir "$1/untar"; tar -C "$1/untar" -xf "$W/tree.tar"; sync -f "$1/untar"; elapsed "$t"; }
w_copyup() { local t=$(now); printf x | dd of="$1/big.bin" bs=1 count=1 conv=notrunc status=none; elapsed "$t"; }
# The same write made durable, as seqwrite (conv=fsync) and untar (sync -f) are: a copy-up that
# left its copy in the page cache pays for it here.
w_copyupsync() { local t=$(now); printf x | dd of="$1/big.bin" bs=1 count=1 conv=notrunc,fsync status=none; elapsed "$t"; }
w_walk() { drop; local t=$(now); find "$1/tree" -ls > /dev/null; elapsed "$t"; }
w_coldread() { drop; local t=$(now); tar -C "$1" -cf - tree big.bin | cat > /dev/null; elapsed "$t"; }
w_python() { drop; local t=$(now); LD_LIBRARY_PATH="$1/lib" "$1/bin/python3.11" -c 'import numpy, IPython' ; elapsed "$t"; }
w_lookup() { drop; local t=$(now); python3 - "$1/d" "$FILES" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    os.lstat("%s/f%d" % (d, i))
PY
elapsed "$t"; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Write workloads start with the images in the page cache when WARM=yes (others on the machine
# dropping caches then cannot turn one system's run into a disk benchmark).
warm() { # WORKLOAD IMAGE...
    local wl=$1; shift
    case "$WARM:$wl" in yes:seqwrite|yes:untar|yes:copyup|yes:copyupsync) cat "$@" > /dev/null ;; esac
}

# run3 WORKLOAD IMAGE... -> "ours fuse-overlayfs kernel" medians over RUNS rounds; each round
# runs the three systems one after the other on fresh mounts, so load that drifts during the
# session hits all three alike.
run3() {
    local wl=$1; shift
    local o=() f=() k=() sys t
    for ((r = 0; r < RUNS; r++)); do
        for sys in ours fuse-overlayfs kernel; do
            fresh
            mount_sys "$sys" "$W/run/mnt" "$W/run/upper" "$@"
            warm "$wl" "$@"
            t=$(w_$wl "$W/run/mnt")
            case $sys in ours) o+=("$t") ;; fuse-overlayfs) f+=("$t") ;; kernel) k+=("$t") ;; esac
        done
    done
    fresh
    echo "$(printf '%s\n' "${o[@]}" | median) $(printf '%s\n' "${f[@]}" | median) $(printf '%s\n' "${k[@]}" | median)"
}

# run WORKLOAD SYSTEM IMAGE...  -> median seconds over RUNS fresh mounts
run() {
    local wl=$1 sys=$2; shift 2
    local times=()
    for ((r = 0; r < RUNS; r++)); do
        fresh
        mount_sys "$sys" "$W/run/mnt" "$W/run/upper" "$@"
        times+=("$(w_$wl "$W/run/mnt")")
    done
    fresh
    printf '%s\n' "${times[@]}" | median
}

build_images
[ "$prepare" = yes ] && exit 0
echo "| workload | ours (s) | fuse-overlayfs (s) | kernel overlayfs (s) | ours vs fuse-overlayfs |"
echo "| --- | --- | --- | --- | --- |"
for wl in $WORKLOADS; do
    read -r o f k < <(run3 $wl "$W/base.sqsh")
    echo "| $wl | $o | $f | $k | $(echo "scale=2; $f / $o" | bc)× speed |"
done
for n in $LAYERS; do
    imgs=(); for ((l = 0; l < n; l++)); do imgs+=("$W/layers$n/l$l.sqsh"); done
    read -r o f k < <(run3 lookup "${imgs[@]}")
    echo "| lookup, $n layers | $o | $f | $k | $(echo "scale=2; $f / $o" | bc)× speed |"
done
[ "$COLD" = yes ] || exit 0
echo
echo "| cold reads | overlay (s) | read-only mount (s) | overlay / read-only |"
echo "| --- | --- | --- | --- |"
o=$(run coldread ours "$W/base.sqsh"); r=$(run coldread readonly "$W/base.sqsh")
echo "| ours: tree + big.bin | $o | $r | $(echo "scale=2; $o / $r" | bc) |"
f=$(run coldread fuse-overlayfs "$W/base.sqsh"); s=$(run coldread squashfuse "$W/base.sqsh")
echo "| fuse-overlayfs / squashfuse: tree + big.bin | $f | $s | $(echo "scale=2; $f / $s" | bc) |"
if [ -f "$W/python.sqsh" ]; then
    o=$(run python ours "$W/python.sqsh"); r=$(run python readonly "$W/python.sqsh")
    echo "| ours: import numpy, IPython | $o | $r | $(echo "scale=2; $o / $r" | bc) |"
    f=$(run python fuse-overlayfs "$W/python.sqsh"); s=$(run python squashfuse "$W/python.sqsh")
    echo "| fuse-overlayfs / squashfuse: import numpy, IPython | $f | $s | $(echo "scale=2; $f / $s" | bc) |"
fi
