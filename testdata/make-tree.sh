#!/bin/sh
# Builds the reader test tree in DIR: every inode type, file sizes around block boundaries,
# sparse files (one over 4 GiB), hard links, long symlinks, directories of 0/256/257/1010
# entries and 40 levels, UTF-8 and odd names, xattrs (user.*; trusted.*/security.* as root),
# many uids/gids (when root). Device nodes are added by build-image.sh as mksquashfs pseudo
# files, so the tree itself needs no privilege. Deterministic: fixed content and times.
# Usage: make-tree.sh DIR [small]   ("small" skips the 4 GiB sparse file, which makes every
# mksquashfs run read 4 GiB of zeros, and has 1010 instead of 3000 entries in dirs/many)
set -eu
dir=$1
size=${2:-full}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
root=$(id -u)

# Regular files of sizes around the interesting boundaries (4K, 128K, 1M blocks).
mkdir files
for n in 0 1 100 4095 4096 4097 65536 131071 131072 131073 262144 1048575 1048576 1048577 3000000; do
    python3 -c "import sys,random; r=random.Random($n); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range($n)) if $n < 70000 else (b'squashroot text %d ' % $n) * ($n // 20) + bytes(r.getrandbits(8) for _ in range($n % 20)))" > files/size_$n
done
# Duplicates (shared blocks / fragments), all-zero files, sparse files.
cp files/size_4095 files/dup_of_size_4095
cp files/size_262144 files/dup_of_size_262144
head -c 100 /dev/zero > files/zero_100
head -c 300000 /dev/zero > files/zero_300000
truncate -s 1000000 files/sparse_holes && printf 'middle' | dd of=files/sparse_holes bs=1 seek=500000 conv=notrunc 2>/dev/null
truncate -s 400077 files/sparse_trailing && printf 'head' | dd of=files/sparse_trailing conv=notrunc 2>/dev/null
if [ "$size" = full ]; then
    # A sparse file over 4 GiB with data at the start, across the 4 GiB boundary and at the end.
    truncate -s 4295102465 files/over_4GiB
    printf 'start' | dd of=files/over_4GiB conv=notrunc 2>/dev/null
    printf 'at4G' | dd of=files/over_4GiB bs=1 seek=4294967296 conv=notrunc 2>/dev/null
    printf 'end' | dd of=files/over_4GiB bs=1 seek=4295102462 conv=notrunc 2>/dev/null
fi
# Compressible multi-block file with a tail.
python3 -c "import sys; sys.stdout.write(''.join('line %07d of a text file\n' % i for i in range(40000)))" > files/text

# Hard links (3 names in 2 dirs), a hard-linked symlink and FIFO.
mkdir links links/sub
printf 'hard link target\n' > links/hl_target
ln links/hl_target links/hl_second
ln links/hl_target links/sub/hl_third
ln -s hl_target links/sym
ln links/sym links/sym_hard
mkfifo links/fifo
ln links/fifo links/fifo_hard

# Symlinks: short, 311 bytes, 4000 bytes (crosses metadata blocks), dangling, absolute.
mkdir symlinks
ln -s ../files/size_1 symlinks/short
ln -s "$(python3 -c "print('a/' * 155 + 'b')")" symlinks/long_311
ln -s "$(python3 -c "print('x' * 200 + ('/' + 'y' * 199) * 19)")" symlinks/long_4000
ln -s /etc/passwd symlinks/absolute
ln -s ../../../../../../escape symlinks/dotdot

# FIFOs and a socket.
mkdir special
mkfifo special/fifo
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('special/socket')"

# Directories of 0, 256, 257 and 1010 (or thousands) entries; 40 levels deep.
mkdir -p dirs/empty dirs/n256 dirs/n257 dirs/many
for i in $(seq 1 256); do : > dirs/n256/f$i; done
for i in $(seq 1 257); do : > dirs/n257/entry_$i; done
many=1010
[ "$size" = full ] && many=3000
python3 -c "
import os
for i in range($many):
    open('dirs/many/name_%05d_%s' % (i, 'p' * (i % 40)), 'w').write(str(i) if i % 7 else '')
"
deep=dirs/deep
for i in $(seq 1 40); do deep=$deep/d$i; done
mkdir -p "$deep" && printf 'bottom\n' > "$deep/leaf"

# Odd names: UTF-8, spaces, tab, control byte, invalid UTF-8, 255 bytes, leading dot.
mkdir names
python3 - <<'PY'
import os
names = [b'\x01ctrl', b'.hidden', b'0', b'9', b'a b', b'tab\there', b'\xc3\xa9t\xc3\xa9', b'\xe2\x98\x83',
         b'\xff\xfe-bytes', b'latin1-\xe9', b'B', b'a', b'~', b'z' * 255, b'-dash', b'new\nline']
for n in names:
    with open(os.path.join(b'names', n), 'wb') as f:
        f.write(n)
PY

# Modes: setuid/setgid/sticky, no permissions at all.
mkdir modes
: > modes/setuid && chmod 4755 modes/setuid
: > modes/setgid && chmod 2711 modes/setgid
mkdir modes/sticky && chmod 1777 modes/sticky
: > modes/none && chmod 000 modes/none
mkdir modes/readonly_dir && : > modes/readonly_dir/inside && chmod 555 modes/readonly_dir

# Extended attributes (user.* anywhere; trusted.* / security.* need root).
mkdir xattrs
: > xattrs/plain
setfattr -n user.small -v hello xattrs/plain
setfattr -n user.empty xattrs/plain
python3 -c "import os; os.setxattr('xattrs/plain', 'user.big', b'v' * 512)"
: > xattrs/same_a && : > xattrs/same_b
for f in xattrs/same_a xattrs/same_b; do setfattr -n user.shared -v same "$f"; done
mkdir xattrs/dir && setfattr -n user.on_dir -v d xattrs/dir
if [ "$root" -eq 0 ]; then
    setfattr -n trusted.overlay.opaque -v y xattrs/dir
    setfattr -n security.test -v sec xattrs/plain
    ln -s plain xattrs/link && setfattr -h -n trusted.on_link -v l xattrs/link
    mkfifo xattrs/fifo && setfattr -n trusted.on_fifo -v f xattrs/fifo
fi

# Many distinct owners (as root).
mkdir owners
if [ "$root" -eq 0 ]; then
    for i in $(seq 0 299); do : > owners/u$i; chown $((1000 + i * 13)):$((2000 + i)) owners/u$i; done
    : > owners/big && chown 4000000:65534 owners/big
fi

# Fixed times everywhere (atime in the future keeps mksquashfs hard-link detection stable, §20.2.13).
find . -depth -exec touch -h -m -d '2023-11-14 22:13:20' {} + -exec touch -h -a -d '2100-01-01' {} +
