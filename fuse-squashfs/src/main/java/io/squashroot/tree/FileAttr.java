package io.squashroot.tree;

/**
 * What stat(2) reports for one node. {@code mode} is the full st_mode, type bits included
 * ({@link #S_IFREG} etc.). Times are seconds plus nanoseconds since the epoch.
 */
public record FileAttr(
        long ino,
        int mode,
        long nlink,
        long uid,
        long gid,
        long rdev,
        long size,
        long blocks,
        long atimeSec, int atimeNsec,
        long mtimeSec, int mtimeNsec,
        long ctimeSec, int ctimeNsec) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    /** utimensat's special values (include/uapi/linux/stat.h). */
    public static final long UTIME_NOW = (1L << 30) - 1;
    public static final long UTIME_OMIT = (1L << 30) - 2;

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegular() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** The same attributes with another owner (used for -o uid=,gid= remapping). */
    public FileAttr withOwner(long newUid, long newGid) {
        return new FileAttr(ino, mode, nlink, newUid, newGid, rdev, size, blocks,
                atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
    }
}
