package io.squashroot.overlay;

import io.squashroot.host.CFunction;
import io.squashroot.host.CFunction.Arg;

/**
 * The few libc calls the JDK does not offer for the upper layer: lstat with nanoseconds and
 * rdev (statx, whose layout is the same on every architecture), lchown, mknod, l*xattr (the
 * JDK's xattr view follows symlinks and only sees user.*), utimensat without following,
 * statvfs, truncate that can extend, renameat2, and sync_file_range (start writeback early).
 * errno after each call: {@link CFunction#errno}.
 *
 * <p>Paths and xattr names are NUL-terminated byte arrays ({@link HostFs#cstr}), not Strings:
 * converting a String argument with a CharsetEncoder char by char on every call was a sixth of
 * the mount server's CPU in an untar (docs/benchmarks.md, "Untar: FUSE requests").
 *
 * <p>Bound through {@link CFunction} (jffi's fixed entry points) rather than jnr-ffi's
 * LibraryLoader, whose run-time class generation for this binding was about 60 ms of a
 * container start's critical path (docs/benchmarks.md, "Container start").
 */
final class Libc {
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    static final int O_WRONLY = 1;
    static final int O_CLOEXEC = 02000000;
    static final int SYNC_FILE_RANGE_WRITE = 2;

    private static final CFunction STATX = CFunction.ofInt("statx",
            Arg.INT, Arg.BYTES_IN, Arg.INT, Arg.INT, Arg.BYTES_OUT);
    private static final CFunction LCHOWN = CFunction.ofInt("lchown", Arg.BYTES_IN, Arg.INT, Arg.INT);
    private static final CFunction FCHMODAT = CFunction.ofInt("fchmodat", Arg.INT, Arg.BYTES_IN, Arg.INT, Arg.INT);
    private static final CFunction MKNOD = CFunction.ofInt("mknod", Arg.BYTES_IN, Arg.INT, Arg.LONG);
    private static final CFunction LGETXATTR = CFunction.ofLong("lgetxattr",
            Arg.BYTES_IN, Arg.BYTES_IN, Arg.BYTES_OUT, Arg.LONG);
    private static final CFunction LSETXATTR = CFunction.ofInt("lsetxattr",
            Arg.BYTES_IN, Arg.BYTES_IN, Arg.BYTES_IN, Arg.LONG, Arg.INT);
    private static final CFunction LLISTXATTR = CFunction.ofLong("llistxattr", Arg.BYTES_IN, Arg.BYTES_OUT, Arg.LONG);
    private static final CFunction LREMOVEXATTR = CFunction.ofInt("lremovexattr", Arg.BYTES_IN, Arg.BYTES_IN);
    private static final CFunction UTIMENSAT = CFunction.ofInt("utimensat",
            Arg.INT, Arg.BYTES_IN, Arg.LONGS_IN, Arg.INT);
    private static final CFunction STATVFS = CFunction.ofInt("statvfs", Arg.BYTES_IN, Arg.BYTES_OUT);
    private static final CFunction TRUNCATE = CFunction.ofInt("truncate", Arg.BYTES_IN, Arg.LONG);
    private static final CFunction RENAMEAT2 = CFunction.ofInt("renameat2",
            Arg.INT, Arg.BYTES_IN, Arg.INT, Arg.BYTES_IN, Arg.INT);
    private static final CFunction OPEN = CFunction.ofInt("open", Arg.BYTES_IN, Arg.INT);
    private static final CFunction CLOSE = CFunction.ofInt("close", Arg.INT);
    private static final CFunction SYNC_FILE_RANGE = CFunction.ofInt("sync_file_range",
            Arg.INT, Arg.LONG, Arg.LONG, Arg.INT);
    private static final CFunction GETEUID = CFunction.ofInt("geteuid");
    private static final CFunction GETEGID = CFunction.ofInt("getegid");

    private Libc() {
    }

    static int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf) {
        return (int) STATX.call(dirfd, path, flags, mask, buf);
    }

    static int lchown(byte[] path, int uid, int gid) {
        return (int) LCHOWN.call(path, uid, gid);
    }

    static int fchmodat(int dirfd, byte[] path, int mode, int flags) {
        return (int) FCHMODAT.call(dirfd, path, mode, flags);
    }

    static int mknod(byte[] path, int mode, long dev) {
        return (int) MKNOD.call(path, mode, dev);
    }

    static long lgetxattr(byte[] path, byte[] name, byte[] value, long size) {
        return LGETXATTR.call(path, name, value, size);
    }

    static int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) {
        return (int) LSETXATTR.call(path, name, value, size, flags);
    }

    static long llistxattr(byte[] path, byte[] list, long size) {
        return LLISTXATTR.call(path, list, size);
    }

    static int lremovexattr(byte[] path, byte[] name) {
        return (int) LREMOVEXATTR.call(path, name);
    }

    static int utimensat(int dirfd, byte[] path, long[] times, int flags) {
        return (int) UTIMENSAT.call(dirfd, path, times, flags);
    }

    static int statvfs(byte[] path, byte[] buf) {
        return (int) STATVFS.call(path, buf);
    }

    static int truncate(byte[] path, long length) {
        return (int) TRUNCATE.call(path, length);
    }

    static int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags) {
        return (int) RENAMEAT2.call(olddirfd, oldpath, newdirfd, newpath, flags);
    }

    static int open(byte[] path, int flags) {
        return (int) OPEN.call(path, flags);
    }

    static int close(int fd) {
        return (int) CLOSE.call(fd);
    }

    static int sync_file_range(int fd, long offset, long nbytes, int flags) {
        return (int) SYNC_FILE_RANGE.call(fd, offset, nbytes, flags);
    }

    static int geteuid() {
        return (int) GETEUID.call();
    }

    static int getegid() {
        return (int) GETEGID.call();
    }
}
