#!/bin/bash
# End-to-end benchmark of `squashroot mount` against squashfuse, squashfuse_ll and the kernel's
# squashfs (mount -o loop) on one rootfs-like image, page cache dropped before every cold phase.
# Run as root (drop_caches, loop mounts). Prints a markdown table on stdout; details to WORK/log.
#
# Usage: bench/fuse-mount-bench.sh WORK [zstd|none]...
#   WORK       scratch directory (images are built there once and reused)
#   zstd|none  image variants to measure (default: both); "none" is uncompressed
# Environment:
#   BENCH_SOURCES  directories squashed into the image (default: about 1.2 GiB of /usr)
#   BENCH_TOOLS    tools to compare (default: squashroot squashfuse squashfuse_ll kernel)
#   FIO_SECONDS    length of the 4 KiB random-read run (default 15)
#   ZSTD_LEVEL     zstd level of the compressed image (default 3: quick to build on a small box)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd -P)
work=${1:?usage: fuse-mount-bench.sh WORK [zstd|none]...}
shift
variants=${*:-zstd none}
sources=${BENCH_SOURCES:-/usr/bin /usr/include /usr/lib/x86_64-linux-gnu /usr/lib/python3.11}
tools=${BENCH_TOOLS:-squashroot squashfuse squashfuse_ll kernel}
fio_seconds=${FIO_SECONDS:-15}
sq="$here/bin/squashroot"
mp="$work/mnt"
rundir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/squashroot}
rundir=${rundir:-/tmp/squashroot-$(id -u)}  # where the server logs its start-up time
log="$work/log"
[ "$(id -u)" -eq 0 ] || { echo "fuse-mount-bench: run as root (drop_caches, loop mounts)" >&2; exit 1; }
for t in mksquashfs fio squashfuse squashfuse_ll bc; do
    command -v "$t" >/dev/null || { echo "fuse-mount-bench: $t missing (scripts/install-deps.sh)" >&2; exit 1; }
done
mkdir -p "$work" "$mp"
: > "$log"
[ -f "$here/cli/target/squashroot.jar" ] || (cd "$here" && mvn -q -B -o -DskipTests package >&2)

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

image_for() {
    local v=$1 img="$work/rootfs-$1.sqsh"
    if [ ! -f "$img" ]; then
        local opts=(-comp zstd -Xcompression-level "${ZSTD_LEVEL:-3}")
        [ "$v" = none ] && opts=(-noI -noD -noF -noX)
        echo "building $img from $sources" >&2
        # shellcheck disable=SC2086
        mksquashfs $sources "$img" -noappend -quiet -no-progress "${opts[@]}" >>"$log" 2>&1
    fi
    echo "$img"
}

# mount TOOL IMAGE: mounts and prints the seconds until the mountpoint answers a stat as the
# new filesystem (st_dev changed), from the command's start.
do_mount() {
    local tool=$1 img=$2 before t0
    before=$(stat -c %d "$mp")
    t0=$(now)
    case $tool in
        squashroot) "$sq" mount "$img" "$mp" ;;
        squashfuse) squashfuse "$img" "$mp" ;;
        squashfuse_ll) squashfuse_ll "$img" "$mp" ;;
        kernel) mount -t squashfs -o loop,ro "$img" "$mp" ;;
    esac
    while [ "$(stat -c %d "$mp")" = "$before" ]; do sleep 0.005; done
    since "$t0"
}

do_umount() {
    case $1 in
        squashroot) "$sq" umount "$mp" ;;
        kernel) umount "$mp" ;;
        *) fusermount -u "$mp" ;;
    esac
}

# The server process of the mount at $mp (none for the kernel).
server_pid() {
    case $1 in
        squashroot) pgrep -n -f -- "io.squashroot.cli.Main mount .* $mp --foreground" ;;
        squashfuse | squashfuse_ll) pgrep -n -x "$1" ;;
        *) echo "" ;;
    esac
}

# cpu seconds (user+sys) and peak RSS (MiB) of a pid, "- -" for none.
usage_of() {
    local pid=$1
    if [ -z "$pid" ] || [ ! -r "/proc/$pid/stat" ]; then echo "- -"; return; fi
    local tck cpu hwm
    tck=$(getconf CLK_TCK)
    cpu=$(awk -v t="$tck" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat")
    hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    echo "$cpu $hwm"
}

timed() { local t0; t0=$(now); "$@" >/dev/null 2>&1; since "$t0"; }

echo "| image | tool | mount→first stat s | metadata walk s | cold full read s | warm full read s | sequential largest MB/s | fio 4K randread IOPS | server CPU s | server peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for v in $variants; do
    img=$(image_for "$v")
    largest=$(unsquashfs -lls "$img" 2>/dev/null | awk '$1 ~ /^-/ { print $3, $NF }' | sort -n | tail -1)
    largest_size=${largest%% *}
    largest_path=${largest#* squashfs-root/}
    echo "image $img: largest file $largest_path ($largest_size bytes)" >>"$log"
    for tool in $tools; do
        # 1. mount latency, cold metadata walk.
        drop
        lat=$(do_mount "$tool" "$img")
        pid=$(server_pid "$tool")
        meta=$(timed find "$mp" -printf '%s %m %u\n')
        cpu_rss_meta=$(usage_of "$pid")
        do_umount "$tool"
        # 2. cold then warm full read (every file's bytes; GNU tar would skip them for /dev/null).
        drop
        do_mount "$tool" "$img" >/dev/null
        pid=$(server_pid "$tool")
        cold=$(timed sh -c "find '$mp' -type f -print0 | xargs -0 cat > /dev/null")
        warm=$(timed sh -c "find '$mp' -type f -print0 | xargs -0 cat > /dev/null")
        cpu_rss_read=$(usage_of "$pid")
        do_umount "$tool"
        # 3. sequential read of the largest file, then 4 KiB random reads, both cold.
        drop
        do_mount "$tool" "$img" >/dev/null
        pid=$(server_pid "$tool")
        seq_s=$(timed dd if="$mp/$largest_path" of=/dev/null bs=1M)
        seq=$(echo "scale=1; $largest_size / 1048576 / $seq_s" | bc)
        drop
        iops=$(fio --name=rand --filename="$mp/$largest_path" --readonly --rw=randread --bs=4k \
            --ioengine=psync --numjobs=4 --group_reporting --time_based --runtime="$fio_seconds" \
            --invalidate=1 --output-format=terse --terse-version=3 2>>"$log" | awk -F';' '{ print $8 }')
        cpu_rss_seq=$(usage_of "$pid")
        do_umount "$tool"
        # CPU and RSS: the full-read session's server (the one that did the most work).
        echo "$v $tool meta-session: $cpu_rss_meta seq-session: $cpu_rss_seq" >>"$log"
        read -r cpu rss <<<"$cpu_rss_read"
        printf '| %s | %s | %.3f | %.2f | %.2f | %.2f | %s | %s | %s | %s |\n' \
            "$v" "$tool" "$lat" "$meta" "$cold" "$warm" "$seq" "$iops" "$cpu" "$rss"
    done
done
grep -h "answering.* $mp\b\|$mp answering" "$rundir"/mount-*.log >>"$log" 2>/dev/null || true
