package io.squashroot.overlay;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls the JDK does not offer for the upper layer: lstat with nanoseconds and
 * rdev (statx, whose layout is the same on every architecture), lchown, mknod, l*xattr (the
 * JDK's xattr view follows symlinks and only sees user.*), utimensat without following,
 * statvfs, truncate that can extend, renameat2, and sync_file_range (start writeback early).
 *
 * <p>Paths and xattr names are NUL-terminated byte arrays ({@link HostFs#cstr}), not Strings:
 * jnr converts a String argument with a CharsetEncoder char by char on every call, which was a
 * sixth of the mount server's CPU in an untar (docs/benchmarks.md, "Untar: FUSE requests").
 */
public interface Libc {
    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int STATX_BASIC_STATS = 0x7ff;
    int RENAME_NOREPLACE = 1;
    int RENAME_EXCHANGE = 2;
    int O_WRONLY = 1;
    int O_CLOEXEC = 02000000;
    int SYNC_FILE_RANGE_WRITE = 2;

    int statx(int dirfd, @In byte[] path, int flags, int mask, @Out byte[] buf);

    int lchown(@In byte[] path, int uid, int gid);

    int chmod(@In byte[] path, int mode);

    int mknod(@In byte[] path, int mode, long dev);

    long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

    int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

    long llistxattr(@In byte[] path, @Out byte[] list, long size);

    int lremovexattr(@In byte[] path, @In byte[] name);

    int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

    int statvfs(@In byte[] path, @Out byte[] buf);

    int truncate(@In byte[] path, long length);

    int renameat2(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int open(@In byte[] path, int flags);

    int close(int fd);

    int sync_file_range(int fd, long offset, long nbytes, int flags);

    int geteuid();

    int getegid();
}
