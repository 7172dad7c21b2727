#!/bin/sh
# End-to-end: `squashroot extract` against `unsquashfs` on the same rootfs-like image (>= 1 GiB
# of files), same thread count, page cache dropped before every run (needs root). Prints a
# Markdown table of median wall times and the ratio squashroot / unsquashfs.
#
# Usage: bench/extract-vs-unsquashfs.sh            (as root)
# Environment: THREADS (2), RUNS (3), COMPRESSORS ("gzip lz4 zstd none"), WORK (/var/tmp/sqr-bench),
#              SOURCES (default: /usr/bin /usr/lib/jvm /usr/share/doc /usr/share/locale)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd -P)
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
COMPRESSORS=${COMPRESSORS:-"gzip lz4 zstd none"}
WORK=${WORK:-/var/tmp/sqr-bench}
SOURCES=${SOURCES:-"/usr/bin /usr/lib/jvm /usr/share/doc /usr/share/locale"}
if [ "$(id -u)" -ne 0 ]; then
    echo "extract-vs-unsquashfs: run as root (drop_caches)" >&2
    exit 1
fi
mkdir -p "$WORK"
[ -f "$here/cli/target/squashroot.jar" ] || (cd "$here" && mvn -q -B -DskipTests package >&2)
# First run after a build makes the class-data-sharing archive (bin/squashroot): not timed.
"$here/bin/squashroot" version >/dev/null

image() {
    comp=$1
    img="$WORK/rootfs-$comp.sqsh"
    if [ ! -f "$img" ]; then
        case $comp in
            none) opts="-noI -noD -noF -noX" ;;
            lz4) opts="-comp lz4" ;;
            # Level 1 keeps the build short on a busy machine; decoding speed barely depends on it.
            *) opts="-comp $comp -Xcompression-level 1" ;;
        esac
        # shellcheck disable=SC2086
        mksquashfs $SOURCES "$img.tmp" -quiet -no-progress -noappend $opts >&2
        mv "$img.tmp" "$img"
    fi
    echo "$img"
}

# One timed run: clean the destination, flush and drop caches, time the command.
timed() {
    rm -rf "$WORK/out"
    sync
    echo 3 > /proc/sys/vm/drop_caches
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

median() {
    sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

echo "| compressor | image size | unsquashfs -p $THREADS (s) | squashroot extract --threads $THREADS (s) | ratio |"
echo "| --- | --- | --- | --- | --- |"
for comp in $COMPRESSORS; do
    img=$(image "$comp")
    : > "$WORK/u.times"
    : > "$WORK/s.times"
    i=0
    while [ $i -lt "$RUNS" ]; do
        timed unsquashfs -q -n -p "$THREADS" -d "$WORK/out" "$img" >> "$WORK/u.times"
        timed "$here/bin/squashroot" extract --threads "$THREADS" "$img" "$WORK/out" >> "$WORK/s.times"
        i=$((i + 1))
    done
    u=$(median < "$WORK/u.times")
    s=$(median < "$WORK/s.times")
    size=$(du -m "$img" | cut -f1)
    printf '| %s | %s MiB | %.2f | %.2f | %.2f |\n' "$comp" "$size" "$u" "$s" "$(echo "$s / $u" | bc -l)"
done
rm -rf "$WORK/out"
