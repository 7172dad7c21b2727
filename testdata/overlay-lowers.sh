#!/bin/bash
# Builds the lower layers the overlay POSIX suite runs on: two plain directories, the top one
# carrying every marker the overlay must honour (whiteout device 0:0, .wh.NAME file, opaque
# xattr, .wh..wh..opq entry). Run as root (mknod, trusted.* xattrs, chown).
# Usage: overlay-lowers.sh DIR   -> DIR/lower1 (top), DIR/lower2 (bottom)
set -euo pipefail
d=$1
l1=$d/lower1
l2=$d/lower2
mkdir -p "$l1" "$l2"

# lower2: the bottom layer
printf 'lower2 a\n' > "$l2/a.txt"
printf 'lower2 b\n' > "$l2/b.txt"
mkdir -p "$l2/dir" "$l2/opq" "$l2/opq2" "$l2/ldir/sub" "$l2/full" "$l2/merged"
printf 'l2y\n' > "$l2/dir/y"
printf 'hidden\n' > "$l2/wh_target"
printf 'hidden\n' > "$l2/ociwh"
printf 'hidden\n' > "$l2/opq/old"
printf 'hidden\n' > "$l2/opq2/old2"
printf 'deep\n' > "$l2/ldir/sub/deep.txt"
printf 'f\n' > "$l2/full/f"
printf 'm2\n' > "$l2/merged/m2"

# lower1: the top lower layer
printf 'lower1 a\n' > "$l1/a.txt"
mkdir -p "$l1/dir" "$l1/opq" "$l1/opq2" "$l1/merged"
printf 'l1x\n' > "$l1/dir/x"
printf 'm1\n' > "$l1/merged/m1"
mknod "$l1/wh_target" c 0 0
: > "$l1/.wh.ociwh"
setfattr -n trusted.overlay.opaque -v y "$l1/opq"
# What an unprivileged reader can see (kernel overlayfs -o userxattr reads it too).
setfattr -n user.overlay.opaque -v y "$l1/opq"
printf 'new\n' > "$l1/opq/new"
: > "$l1/opq2/.wh..wh..opq"
printf 'new2\n' > "$l1/opq2/new2"
# 8 MiB with data only in the first and last 4 KiB: a copy-up must keep the hole.
head -c 4096 /dev/urandom > "$l1/big.bin"
truncate -s $((8 * 1024 * 1024 - 4096)) "$l1/big.bin"
head -c 4096 /dev/urandom >> "$l1/big.bin"
printf 'x\n' > "$l1/xattr.txt"
setfattr -n user.test -v hello "$l1/xattr.txt"
setfattr -n trusted.foo -v bar "$l1/xattr.txt"
printf 'owned\n' > "$l1/owned.txt"
chown 1234:5678 "$l1/owned.txt"
chmod 0644 "$l1/owned.txt"
touch -d @1500000000 "$l1/owned.txt"
ln -s a.txt "$l1/sym"
mkfifo "$l1/fifo"
