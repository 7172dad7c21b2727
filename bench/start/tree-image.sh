#!/bin/bash
# Makes a start-benchmark image of real content: the busybox root file system of
# testdata/busybox-rootfs.sh with each host directory TREE under /data/N (binaries, libraries, Python
# packages: compressible, many files, as in the images sites run), zstd like the filler images.
# Extracting such an image decompresses and writes every file; the filler images of
# start-latency.sh -s are the cheapest case for extracting (stored blocks, few large files).
#
# Usage (root: each TREE is bind-mounted read-only into the staging root):
#   bench/start/tree-image.sh TREE... OUT.sqsh
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd -P)
[ $# -ge 2 ] || { sed -n '2,9p' "$0"; exit 2; }
out=${!#}; trees=("${@:1:$#-1}")
for t in "${trees[@]}"; do
    [ -d "$t" ] || { echo "tree-image: $t: not a directory" >&2; exit 2; }
done
stage=$(mktemp -d "${TMPDIR:-/tmp}/tree-image.XXXXXX")
cleanup() {
    for d in "$stage"/root/data/*; do umount "$d" 2>/dev/null || :; done
    rm -rf --one-file-system "$stage"
}
trap cleanup EXIT
trap "exit 130" INT TERM HUP   # so an interrupted build still unmounts its binds
"$here/testdata/busybox-rootfs.sh" "$stage/root"
i=0
for t in "${trees[@]}"; do
    mkdir -p "$stage/root/data/$i"
    mount --bind -o ro "$t" "$stage/root/data/$i"
    i=$((i + 1))
done
mksquashfs "$stage/root" "$out.tmp" -all-root -noappend -quiet -comp zstd >/dev/null
mv "$out.tmp" "$out"
echo "$out: $(stat -c %s "$out") bytes, $(find "$stage/root" | wc -l) entries from ${trees[*]}" >&2
