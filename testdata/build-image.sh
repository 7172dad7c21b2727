#!/bin/sh
# Builds a SquashFS image from a tree with mksquashfs, adding device nodes as pseudo files
# (so no root is needed): build-image.sh SRC OUT [mksquashfs options...]
set -eu
src=$1
out=$2
shift 2
rm -f "$out"
exec mksquashfs "$src" "$out" -quiet -no-progress -mkfs-time 1700000000 \
    -p 'special/null c 666 0 0 1 3' \
    -p 'special/sda1 b 660 0 6 8 1' \
    -p 'special/bigdev c 600 1000 1000 300 70000' \
    -p 'special/maxdev b 600 0 0 4095 1048575' \
    -p 'special/whiteout c 000 0 0 0 0' \
    "$@" >/dev/null
