#!/bin/bash
# Start-to-first-output of one container start, by image size and by way of starting:
#   fuse     squashroot start IMAGE            (mounted in place, private overlay)
#   extract  squashroot start --mount-mode=extract IMAGE   (unsquash to disk first)
#   pyxis    unsquashfs -d DIR IMAGE; unshare -r chroot DIR ...   (pyxis's path)
#   enroot   squashfuse + fuse-overlayfs + unshare -r chroot      (enroot's direct .sqsh start)
# The workload is `cat /etc/os-release`; "first output" is its first byte on our stdout.
# cold: page cache dropped before each run (root only); warm: the same run repeated at once
# (after a sync, so the first run's unpacked files are not still being written back).
#
# Usage: bench/start/start-latency.sh [-s "0.25 1 4"] [-i "IMAGE.sqsh ..."] [-n RUNS]
#        [-m "fuse extract pyxis enroot"] [-c "cold warm"] [-d WORKDIR] [-x UNPACKDIR] [-o RESULTS.csv]
# -s: images of busybox + incompressible filler to the size (GiB), built once in WORKDIR: the
#     cheapest case for extracting (stored blocks, 64 MiB files). -i: your own images instead
#     (any image whose /bin/cat and /etc/os-release exist; bench/start/tree-image.sh makes one of
#     busybox + a host directory, i.e. real, compressible binaries and libraries). The size column
#     is then the image's own size. -x: where extract and pyxis unpack (ENROOT_TEMP_PATH; default
#     WORKDIR/tmp), e.g. a tmpfs as pyxis sites often use. The squashroot build is copied to WORKDIR/install first, so
#     rebuilding the tree does not disturb a running benchmark.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd -P)
sizes="0.25 1 4"; images=""; runs=3; modes="fuse extract pyxis enroot"; caches="cold warm"
work=${TMPDIR:-/tmp}/squashroot-start-bench; out=""; unpack=""
while getopts "s:i:n:m:c:d:x:o:" o; do
    case "$o" in
    s) sizes=$OPTARG ;; i) images=$OPTARG ;; n) runs=$OPTARG ;; m) modes=$OPTARG ;; c) caches=$OPTARG ;; d) work=$OPTARG ;; x) unpack=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
    esac
done
mkdir -p "$work"
out=${out:-$work/results.csv}
rm -rf "$work/install"; mkdir -p "$work/install/cli"
cp -a "$here/bin" "$work/install/"
[ -f "$here/cli/target/squashroot.jar" ] || (cd "$here" && mvn -q -B -DskipTests package >&2)
cp -a "$here/cli/target" "$work/install/cli/"
rm -f "$work/install/cli/target/squashroot.jsa"   # the archive names the jar's path: remade there
sq="$work/install/bin/squashroot"
fo="$here/bench/start/first-output.py"
export XDG_RUNTIME_DIR="$work/run" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" TMPDIR="$work/tmp"
export SQUASHROOT_SYSCONF_DIR="$work/sysconf"
unpack=${unpack:-$TMPDIR}
export ENROOT_TEMP_PATH="$unpack"
mkdir -p "$XDG_RUNTIME_DIR" "$TMPDIR" "$SQUASHROOT_SYSCONF_DIR" "$unpack"
"$sq" version >/dev/null   # builds the jar and the class-data archive once, outside the timing

image_for() {   # size in GiB -> image path
    local img="$work/image-$1G.sqsh"
    if [ ! -s "$img" ]; then
        local root="$work/root-$1"
        rm -rf "$root"
        "$here/testdata/busybox-rootfs.sh" "$root"
        mkdir -p "$root/data"
        local mib; mib=$(awk -v g="$1" 'BEGIN { printf "%d", g * 1024 }')
        local i=0
        while [ $((i * 64)) -lt "$mib" ]; do
            head -c $((64 << 20)) /dev/urandom > "$root/data/blob$i"
            i=$((i + 1))
        done
        mksquashfs "$root" "$img.tmp" -all-root -noappend -quiet -comp zstd >/dev/null
        mv "$img.tmp" "$img"
        rm -rf "$root"
    fi
    echo "$img"
}

drop() { [ "$1" = cold ] && [ "$(id -u)" = 0 ] && { sync; echo 3 > /proc/sys/vm/drop_caches; } || :; }

run_mode() {   # mode image -> "first,total,status"
    local mode=$1 img=$2 d="$unpack/peer"
    case "$mode" in
    fuse)    python3 "$fo" "$sq" start --mount-mode=fuse "$img" cat /etc/os-release ;;
    extract) python3 "$fo" "$sq" start --mount-mode=extract "$img" cat /etc/os-release ;;
    pyxis)
        rm -rf --one-file-system "$d"
        python3 "$fo" sh -c 'unsquashfs -q -d "$1" "$2" >/dev/null && exec unshare -r chroot "$1" cat /etc/os-release' \
            sh "$d" "$img"
        rm -rf "$d" ;;
    enroot)
        rm -rf --one-file-system "$d"; mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/root"
        python3 "$fo" sh -c 'squashfuse "$2" "$1/lower" && fuse-overlayfs -o "lowerdir=$1/lower,upperdir=$1/upper,workdir=$1/work" "$1/root" \
            && exec unshare -r chroot "$1/root" cat /etc/os-release' sh "$d" "$img"
        fusermount -u -z "$d/root" 2>/dev/null || :; fusermount -u -z "$d/lower" 2>/dev/null || :
        rm -rf --one-file-system "$d" ;;
    esac
}

[ -s "$out" ] || echo "size_gib,mode,cache,run,first_output_s,total_s,status" > "$out"
if [ -n "$images" ]; then
    for img in $images; do
        [ -f "$img" ] || { echo "start-latency: $img: no such image" >&2; exit 2; }
    done
    list=$images
else
    list=$sizes
fi
for item in $list; do
    if [ -n "$images" ]; then
        img=$(readlink -f "$item")
        size=$(stat -c %s "$img" | awk '{ printf "%.2f", $1 / 1073741824 }')
    else
        size=$item; img=$(image_for "$size")
    fi
    for cache in $caches; do
        for r in $(seq 1 "$runs"); do
            for mode in $modes; do
                drop "$cache"
                if [ "$cache" = warm ]; then
                    run_mode "$mode" "$img" >/dev/null   # warm-up run
                    # its written-out root (extract, pyxis: the whole image unpacked) is still
                    # dirty in the page cache: write it back now, or the timed run waits for it
                    sync
                fi
                echo "$size,$mode,$cache,$r,$(run_mode "$mode" "$img")" | tee -a "$out"
            done
        done
    done
done
echo "results: $out" >&2
# Medians per size/mode/cache (first output, total), and each mode's ratio to fuse:
python3 - "$out" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["first_output_s"]]
keys = sorted({(float(r["size_gib"]), r["cache"], r["mode"]) for r in rows})
med = {}
for k in keys:
    sel = [r for r in rows if (float(r["size_gib"]), r["cache"], r["mode"]) == k]
    med[k] = (statistics.median(float(r["first_output_s"]) for r in sel),
              statistics.median(float(r["total_s"]) for r in sel), len(sel))
print("| size GiB | cache | mode | first output s (median) | total s | runs | vs fuse |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for k in keys:
    f = med.get((k[0], k[1], "fuse"))
    ratio = f"{med[k][0] / f[0]:.2f}x" if f else "-"
    print(f"| {k[0]:g} | {k[1]} | {k[2]} | {med[k][0]:.3f} | {med[k][1]:.3f} | {med[k][2]} | {ratio} |")
PY
