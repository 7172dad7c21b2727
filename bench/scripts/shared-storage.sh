#!/bin/bash
# Many starts from one image on slow shared storage (issue 9, benchmark 5).
#
# usage: bench/scripts/shared-storage.sh WORKDIR [MODES] [COUNTS]
#   MODES  default "fuse fuse-nodecache squashfuse extract unsquashfs"
#   COUNTS default "1 4 16"
#
# Builds (once) an image of >= 2 GiB in WORKDIR/backing: 40 directories of ~50 files of random
# sizes (4 KiB - 2.2 MiB, incompressible). Serves WORKDIR/backing through testdata/slowfs.py
# (latency per request, bandwidth cap per request, --direct-io so no page cache hides a read: a
# node whose NFS client cache is cold) and starts N "containers" at once, each mounting (or
# extracting) the image from the slow mount and reading every file of 2 of the 40 directories
# (~5% of the image, adjacent in the image as one package's files are). slowfs counts what it
# served: that is "bytes read from the backing storage". Output: WORKDIR/shared-storage.csv.
#
# Needs root (slowfs allow_other) or a user with fusermount; squashfuse, unsquashfs,
# python3-fusepy; bin/squashroot built (mvn -o -pl cli -am package -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd -P)
work=$(realpath -m "${1:?usage: shared-storage.sh WORKDIR [MODES] [COUNTS]}")
modes=${2:-"fuse fuse-nodecache squashfuse extract unsquashfs"}
counts=${3:-"1 4 16"}
delay_ms=${SLOW_DELAY_MS:-2}
mbps=${SLOW_MBPS:-200}
sq="$here/bin/squashroot"
# 16 JVMs on a shared node: keep each small.
export SQUASHROOT_JAVA_OPTS=${SQUASHROOT_JAVA_OPTS:-"-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"}
mkdir -p "$work/backing" "$work/slow" "$work/run"
img="$work/backing/big.sqsh"

if [ ! -f "$img" ]; then
    echo "building the image (>= 2 GiB) ..." >&2
    src="$work/src"
    rm -rf "$src"
    for d in $(seq -w 0 39); do
        mkdir -p "$src/pkg$d"
        for f in $(seq -w 0 49); do
            # sizes 4 KiB .. 2 MiB, seeded per file so the image is the same every build
            size=$(( ( (10#$d * 50 + 10#$f) * 2654435761 % 2306867 ) + 4096 ))
            head -c "$size" /dev/urandom > "$src/pkg$d/file$f.bin"
        done
    done
    mksquashfs "$src" "$img.tmp" -comp lz4 -quiet -no-progress -noappend >/dev/null
    mv "$img.tmp" "$img"
    rm -rf "$src"
fi
img_bytes=$(stat -c %s "$img")
if [ "$img_bytes" -lt $((2 << 30)) ]; then
    echo "image is only $img_bytes bytes; delete $img to rebuild" >&2
    exit 1
fi

stats="$work/slow.stats"
rm -f "$stats"
/usr/bin/python3 "$here/testdata/slowfs.py" "$work/backing" "$work/slow" --delay-ms "$delay_ms" \
    --read-mbps "$mbps" --direct-io --stats "$stats" --foreground 2>"$work/slowfs.log" &
slowfs_pid=$!
unmount_runs() { # a start that failed half way may leave its mount behind
    for m in "$work"/run/*/mnt; do
        mountpoint -q "$m" 2>/dev/null && { fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; }
    done
    return 0
}
clean_runs() {
    unmount_runs
    rm -rf --one-file-system "$work/run" "$work/nodecache"
}
cleanup() {
    unmount_runs
    mountpoint -q "$work/slow" && fusermount -u "$work/slow"
    wait "$slowfs_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do mountpoint -q "$work/slow" && break; sleep 0.1; done
mountpoint -q "$work/slow" || { echo "slowfs did not mount: $(cat "$work/slowfs.log")" >&2; exit 1; }
slow_img="$work/slow/big.sqsh"

served() { # bytes and requests slowfs has served so far
    sleep 0.3 # slowfs writes its counters at most every 0.2 s
    awk '/read_bytes/ {b=$2} /read_requests/ {r=$2} END {print (b == "" ? 0 : b), (r == "" ? 0 : r)}' "$stats" 2>/dev/null || echo "0 0"
}

# The workload of one start: every file of two directories (5% of the image).
touch_files() {
    cat "$1"/pkg07/* "$1"/pkg23/* > /dev/null
}
touched_per_start=$(unsquashfs -lls "$img" | awk '$NF ~ /\/pkg(07|23)\// {s += $3} END {print s + 0}')

one_start() { # MODE I -> prints the start's wall seconds
    local mode=$1 i=$2 dir="$work/run/$1-$2" t0 t1
    rm -rf "$dir"; mkdir -p "$dir/mnt"
    t0=$(date +%s.%N)
    case $mode in
        fuse|fuse-nodecache)
            "$sq" mount -o cache_size=32M "$slow_img" "$dir/mnt"
            touch_files "$dir/mnt"
            "$sq" stats "$dir/mnt" > "$dir/stats.txt" 2>/dev/null || true
            "$sq" umount "$dir/mnt" ;;
        squashfuse)
            squashfuse "$slow_img" "$dir/mnt"
            touch_files "$dir/mnt"
            fusermount -u "$dir/mnt" ;;
        extract)
            "$sq" extract "$slow_img" "$dir/root" > /dev/null
            touch_files "$dir/root" ;;
        unsquashfs)
            unsquashfs -no-progress -quiet -d "$dir/root" "$slow_img" > /dev/null
            touch_files "$dir/root" ;;
    esac
    t1=$(date +%s.%N)
    echo "$t0 $t1" > "$dir/time"
}

csv="$work/shared-storage.csv"
[ -f "$csv" ] || echo "mode,starts,wall_s,slowest_start_s,backing_bytes,backing_requests,image_bytes,touched_bytes_per_start,backing_over_image,backing_per_start_over_image" > "$csv"
for mode in $modes; do
    for n in $counts; do
        clean_runs; mkdir -p "$work/run"
        unset SQUASHROOT_NODE_CACHE
        if [ "$mode" = fuse-nodecache ]; then export SQUASHROOT_NODE_CACHE="$work/nodecache"; fi
        read -r b0 r0 < <(served)
        t0=$(date +%s.%N)
        pids=()
        for i in $(seq "$n"); do one_start "$mode" "$i" > "$work/run.$i.log" 2>&1 & pids+=($!); done
        fail=0
        for p in "${pids[@]}"; do wait "$p" || fail=1; done
        t1=$(date +%s.%N)
        read -r b1 r1 < <(served)
        if [ $fail -ne 0 ]; then
            echo "$mode x$n: a start failed: $(head -3 "$work"/run.*.log)" >&2
            echo "$mode,$n,FAILED,,,,,,," >> "$csv"
            unmount_runs
            continue
        fi
        slowest=$(cat "$work"/run/*/time | awk '{d=$2-$1; if (d>m) m=d} END {printf "%.2f", m}')
        line=$(awk -v m="$mode" -v n="$n" -v t0="$t0" -v t1="$t1" -v s="$slowest" -v b=$((b1 - b0)) -v r=$((r1 - r0)) \
            -v ib="$img_bytes" -v tb="$touched_per_start" \
            'BEGIN {printf "%s,%d,%.2f,%s,%.0f,%.0f,%.0f,%.0f,%.4f,%.4f", m, n, t1-t0, s, b, r, ib, tb, b/ib, b/ib/n}')
        echo "$line" | tee -a "$csv"
        for d in "$work"/run/*/root; do [ -d "$d" ] && chmod -R u+rwX "$d" && rm -rf --one-file-system "$d"; done
    done
done
