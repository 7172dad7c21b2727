package io.squashroot.overlay;

import io.squashroot.tree.FileAttr;

/** lstat of one host file, as statx reports it; {@code rdev} is a glibc-encoded dev_t. */
record HostStat(long ino, int mode, long nlink, long uid, long gid, long rdev, long size,
                long blocks, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec,
                long ctimeSec, int ctimeNsec) {

    int type() {
        return mode & FileAttr.S_IFMT;
    }

    boolean isDirectory() {
        return type() == FileAttr.S_IFDIR;
    }

    /** An overlayfs whiteout: a character device with device number 0:0. */
    boolean isWhiteoutDevice() {
        return type() == FileAttr.S_IFCHR && rdev == 0;
    }

    FileAttr toAttr(long reportedIno) {
        return new FileAttr(reportedIno, mode, nlink, uid, gid, rdev, size, blocks,
                atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
    }
}
