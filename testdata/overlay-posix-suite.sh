#!/bin/bash
# The overlay POSIX-semantics suite: runs every operation on a mounted overlay of the layers
# from overlay-lowers.sh and prints one line per check, "ok NAME" or "FAIL NAME: expected ...
# got ...". The same script runs on our overlay and on kernel overlayfs (the reference).
# Usage: [UPPER_FS=ramfs] overlay-posix-suite.sh run|verify MNT KIND PRIV
#   KIND: ours (directory lowers) | images (SquashFS lowers) | kernel   PRIV: root | user
#   run: operations and their outcomes; verify: after unmount + remount, the state run left.
#   UPPER_FS=ramfs: the upper directory is on ramfs (no xattrs: the overlay uses sidecar files).
# Checks whose outcome differs by design between our overlay and the kernel's branch on KIND
# (docs/overlay.md lists them).
set -u
phase=$1
m=$2
kind=$3
priv=$4
cd "$m" || exit 2
PY=/usr/bin/python3

check() { # NAME EXPECTED ACTUAL
    if [ "$2" == "$3" ]; then echo "ok $1"; else echo "FAIL $1: expected [$2] got [$3]"; fi
}
errof() { # runs a command, prints its stderr's errno text
    "$@" 2>&1 >/dev/null | sed -e 's/.*: //' | head -1
}

if [ "$phase" = run ]; then
    check lookup_topLayerWins "lower1 a" "$(cat a.txt)"
    check lookup_lowerOnlyFile "lower2 b" "$(cat b.txt)"
    check whiteout_charDeviceHidesLower "no" "$(test -e wh_target && echo yes || echo no)"
    if [ "$kind" = kernel ]; then
        check whiteout_ociFileHidesLower "yes" "$(test -e ociwh && echo yes || echo no)"
        check opaque_whEntryHidesLower "yes" "$(test -e opq2/old2 && echo yes || echo no)"
        check readdir_hidesMarkers ".wh..wh..opq new2 old2" "$(ls -A opq2 | tr '\n' ' ' | sed 's/ $//')"
    else
        check whiteout_ociFileHidesLower "no" "$(test -e ociwh && echo yes || echo no)"
        check opaque_whEntryHidesLower "no" "$(test -e opq2/old2 && echo yes || echo no)"
        check readdir_hidesMarkers "new2" "$(ls -A opq2 | tr '\n' ' ' | sed 's/ $//')"
    fi
    check opaque_xattrHidesLower "new" "$(ls -A opq | tr '\n' ' ' | sed 's/ $//')"
    check readdir_mergesLayersWithoutDuplicates "x y" "$(ls dir | tr '\n' ' ' | sed 's/ $//')"
    check readdir_rootMerged "a.txt b.txt big.bin dir fifo full ldir merged opq opq2 owned.txt sym xattr.txt" \
        "$(ls | grep -v '^\.wh\.\|^ociwh$' | tr '\n' ' ' | sed 's/ $//')"
    check readlink_lowerSymlink "a.txt" "$(readlink sym)"
    check fifo_lowerIsFifo "yes" "$(test -p fifo && echo yes || echo no)"

    ino_before=$(stat -c %i a.txt)
    printf 'more\n' >> a.txt
    check copyUp_appendKeepsLowerData "lower1 a
more" "$(cat a.txt)"
    check inode_stableAcrossCopyUp "$ino_before" "$(stat -c %i a.txt)"

    before=$(stat -c '%u:%g %a %Y' owned.txt)
    setfattr -n user.added -v 1 owned.txt
    check copyUp_setxattrKeepsOwnerModeMtime "$before" "$(stat -c '%u:%g %a %Y' owned.txt)"
    check copyUp_setxattrKeepsData "owned" "$(cat owned.txt)"

    sum=$(md5sum < big.bin)
    chmod 0600 big.bin
    check copyUp_chmodKeepsData "$sum" "$(md5sum < big.bin)"
    check chmod_setsMode "600" "$(stat -c %a big.bin)"
    # Kernel overlayfs copies up with copy_file_range/splice and fills holes (measured on
    # 6.18 over ext4); ours skips all-zero blocks.
    check copyUp_keepsHoles "$([ "$kind" = kernel ] && echo no || echo yes)" \
        "$( [ "$(stat -c %b big.bin)" -lt 1024 ] && echo yes || echo no)"

    setfattr -n user.more -v 2 xattr.txt
    check copyUp_keepsUserXattr "hello" "$(getfattr --only-values -n user.test xattr.txt 2>/dev/null)"
    check setxattr_afterCopyUp "2" "$(getfattr --only-values -n user.more xattr.txt 2>/dev/null)"
    if [ "$priv" = root ]; then
        check copyUp_keepsTrustedXattr "bar" "$(getfattr --only-values -n trusted.foo xattr.txt 2>/dev/null)"
    fi
    setfattr -x user.more xattr.txt
    check removexattr_removes "" "$(getfattr --only-values -n user.more xattr.txt 2>/dev/null)"

    chown 42:43 b.txt
    check chown_setsOwner "42:43" "$(stat -c %u:%g b.txt)"
    check chown_keepsData "lower2 b" "$(cat b.txt)"
    touch -d @1000000000 dir/y
    check utimens_setsMtime "1000000000" "$(stat -c %Y dir/y)"
    # One time alone (utimensat with the other UTIME_OMIT): how tar -x sets every file's mtime.
    touch -m -d @1100000000 dir/y
    check utimens_mtimeOnlyKeepsAtime "1000000000 1100000000" "$(stat -c '%X %Y' dir/y)"
    touch -a -d @1200000000 dir/y
    check utimens_atimeOnlyKeepsMtime "1200000000 1100000000" "$(stat -c '%X %Y' dir/y)"
    truncate -s 3 dir/x
    check truncate_shrinksLowerFile "l1x" "$(cat dir/x)"

    set -o noclobber
    echo one > created.txt
    check create_newFile "one" "$(cat created.txt)"
    check create_exclOnExisting "EEXIST" "$($PY -c '
import errno, os
try:
    os.open("created.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    print("created")
except OSError as e:
    print(errno.errorcode[e.errno])')"
    set +o noclobber
    echo short > a.txt
    check open_truncReplacesContent "short" "$(cat a.txt)"
    rm -f app.txt; echo a >> app.txt; echo b >> app.txt
    check open_appendAppends "a
b" "$(cat app.txt)"
    check open_appendAfterSeek "xy" "$($PY -c '
import os
fd = os.open("app2.txt", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
os.write(fd, b"x"); os.lseek(fd, 0, os.SEEK_SET); os.write(fd, b"y"); os.close(fd)
print(open("app2.txt").read())')"

    mkdir newdir && echo in > newdir/f
    check mkdir_createsDirectory "in" "$(cat newdir/f)"
    rm newdir/f && rmdir newdir
    check rmdir_removesUpperDirectory "no" "$(test -e newdir && echo yes || echo no)"
    check rmdir_notEmptyAcrossLayers "Directory not empty" "$(errof rmdir full)"
    rm full/f
    check unlink_lowerFileHidden "" "$(ls -A full)"
    rmdir full
    check rmdir_mergedDirectory "no" "$(test -e full && echo yes || echo no)"
    mkdir full
    check mkdir_overWhiteoutIsEmpty "" "$(ls -A full)"

    rm b.txt
    check unlink_lowerFile "no" "$(test -e b.txt && echo yes || echo no)"
    echo again > b.txt
    check create_overWhiteout "again" "$(cat b.txt)"

    ln -s target-of-link newsym
    check symlink_creates "target-of-link" "$(readlink newsym)"
    ln dir/y hardlink
    check link_sharesInode "$(stat -c %i dir/y)" "$(stat -c %i hardlink)"
    check link_countsTwo "2" "$(stat -c %h hardlink)"
    echo through-link > hardlink
    if [ "$kind" != kernel ]; then
        # FUSE's path-based API gives each name its own kernel inode: the other name's cached
        # size is refreshed when its attr_timeout (1 s on writable mounts) runs out.
        sleep 1.1
    fi
    check link_writesShowThroughOtherName "through-link" "$(cat dir/y)"

    mkfifo newfifo
    check mknod_fifo "yes" "$(test -p newfifo && echo yes || echo no)"
    if [ "$priv" = user ]; then
        # The kernel checks CAP_MKNOD before asking any file system; recorded device numbers
        # serve a privileged client of an unprivileged server (OverlayTreeTest covers them).
        check mknod_charDeviceRefusedByKernel "Operation not permitted" "$(errof mknod newchr c 1 3)"
    elif mknod newchr c 1 3 2>/dev/null; then
        check mknod_charDevice "1:3 character special file" "$(stat -c '%t:%T %F' newchr)"
    else
        echo "FAIL mknod_charDevice: mknod refused"
    fi

    mv dir/y dir/y-renamed
    check rename_lowerFile "through-link" "$(cat dir/y-renamed)"
    check rename_sourceGone "no" "$(test -e dir/y && echo yes || echo no)"
    mv ldir ldir2
    check rename_lowerDirectory "deep" "$(cat ldir2/sub/deep.txt)"
    check rename_lowerDirectorySourceGone "no" "$(test -e ldir && echo yes || echo no)"
    mv merged merged2
    check rename_mergedDirectoryKeepsBothLayers "m1 m2" "$(ls merged2 | tr '\n' ' ' | sed 's/ $//')"
    echo c > chowned.txt; chown 42:43 chowned.txt; chmod 0640 chowned.txt
    check chown_newFile "42:43 640" "$(stat -c '%u:%g %a' chowned.txt)"
    echo replaced > r1; mv r1 a.txt
    check rename_overExistingFile "replaced" "$(cat a.txt)"
    # renameat2 flags: NOREPLACE onto an existing name is EEXIST from the VFS before any file
    # system is asked. Our kernel session speaks FUSE_RENAME2, so the overlay does both
    # RENAME_EXCHANGE and NOREPLACE, as kernel overlayfs does. libfuse 2
    # (SQUASHROOT_FUSE_BACKEND=libfuse) does not know FUSE_RENAME2: the kernel answers EINVAL
    # for both flags there (callers such as mv fall back).
    printf one > xch1; printf two > xch2
    r2=$($PY -c '
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
def r2(a, b, flags):
    return "ok" if libc.renameat2(-100, a.encode(), -100, b.encode(), flags) == 0 else errno.errorcode[ctypes.get_errno()]
print(r2("xch1", "xch2", 2), open("xch1").read(), open("xch2").read(), r2("xch1", "xch2", 1),
      r2("xch1", "xch3", 1), os.path.exists("xch3"))')
    if [ "${SQUASHROOT_FUSE_BACKEND:-kernel}" = libfuse ] && [ "$kind" != kernel ]; then
        check renameat2_flagsRefusedWithEinval "EINVAL one two EEXIST EINVAL False" "$r2"
    else
        check renameat2_exchangeAndNoreplace "ok two one EEXIST ok True" "$r2"
        # a lower symlink swapped with a new upper file: both sides copied up
        printf xf > xf
        check renameat2_exchangeLowerSymlink "ok a.txt xf" "$($PY -c '
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, b"sym", -100, b"xf", 2)
print("ok" if r == 0 else errno.errorcode[ctypes.get_errno()], os.readlink("xf"), open("sym").read())')"
        if [ "$kind" != kernel ]; then
            # a directory with lower parts swapped with a new upper one: neither shows the
            # other's lower entries afterwards (kernel overlayfs answers EXDEV without redirect_dir)
            mkdir xd && printf in > xd/inner
            check renameat2_exchangeLowerDirectory "ok inner new" "$($PY -c '
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, b"opq", -100, b"xd", 2)
print("ok" if r == 0 else errno.errorcode[ctypes.get_errno()], " ".join(sorted(os.listdir("opq"))), " ".join(sorted(os.listdir("xd"))))')"
        fi
    fi

    check fsync_succeeds "ok" "$($PY -c '
import os
fd = os.open("created.txt", os.O_WRONLY); os.write(fd, b"one\n"); os.fsync(fd); os.fdatasync(fd); os.close(fd); print("ok")')"
    if [ "${UPPER_FS:-disk}" = ramfs ]; then
        check statfs_reportsUpperFileSystem "0" "$(stat -f -c %b .)" # ramfs counts no blocks
    else
        check statfs_reportsBlocks "yes" "$( [ "$(stat -f -c %b .)" -gt 0 ] && echo yes || echo no)"
    fi

    flock created.txt sleep 3 &
    sleep 0.5
    check flock_conflictsWithinMount "busy" "$(flock -n created.txt true && echo free || echo busy)"
    check posixLock_conflictsWithinMount "busy" "$($PY -c '
import fcntl, os, subprocess, sys, time
fd = os.open("created.txt", os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX)
r = subprocess.run([sys.executable, "-c", "import fcntl,os\nfd=os.open(\"created.txt\",os.O_RDWR)\ntry:\n fcntl.lockf(fd, fcntl.LOCK_EX|fcntl.LOCK_NB); print(\"free\")\nexcept OSError: print(\"busy\")"], capture_output=True, text=True)
print(r.stdout.strip())')"
    wait
fi

# Both phases: the state "run" left must be there (after a remount in "verify").
check persist_renamedOverFile "replaced" "$(cat a.txt)"
check persist_whiteout "no" "$(test -e ldir && echo yes || echo no)"
check persist_renamedDirectory "deep" "$(cat ldir2/sub/deep.txt)"
check persist_chownChmod "42:43 640" "$(stat -c '%u:%g %a' chowned.txt)"
if [ "$priv" = root ]; then
    check persist_mknodDevice "1:3 character special file" "$(stat -c '%t:%T %F' newchr)"
fi
check persist_opaqueNewDirectory "" "$(ls -A full)"
check persist_hardlink "2" "$(stat -c %h hardlink)"
check persist_symlink "target-of-link" "$(readlink newsym)"
if [ "${SQUASHROOT_FUSE_BACKEND:-kernel}" != libfuse ] || [ "$kind" = kernel ]; then
    check persist_exchangedSymlink "a.txt xf" "$(readlink xf) $(cat sym)"
fi
if [ "$kind" != kernel ] && [ "${SQUASHROOT_FUSE_BACKEND:-kernel}" != libfuse ]; then
    check persist_exchangedDirectories "inner new" "$(ls opq) $(ls xd)"
fi
check persist_chmod "600" "$(stat -c %a big.bin)"
echo "done $phase"
