package io.squashroot.overlay;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls the JDK does not offer for the upper layer: lstat with nanoseconds and
 * rdev (statx, whose layout is the same on every architecture), lchown, mknod, l*xattr (the
 * JDK's xattr view follows symlinks and only sees user.*), utimensat without following,
 * statvfs, truncate that can extend, renameat2, and sync_file_range (start writeback early).
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

    int statx(int dirfd, String path, int flags, int mask, @Out byte[] buf);

    int lchown(String path, int uid, int gid);

    int chmod(String path, int mode);

    int mknod(String path, int mode, long dev);

    long lgetxattr(String path, String name, @Out byte[] value, long size);

    int lsetxattr(String path, String name, @In byte[] value, long size, int flags);

    long llistxattr(String path, @Out byte[] list, long size);

    int lremovexattr(String path, String name);

    int utimensat(int dirfd, String path, @In long[] times, int flags);

    int statvfs(String path, @Out byte[] buf);

    int truncate(String path, long length);

    int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

    int open(String path, int flags);

    int close(int fd);

    int sync_file_range(int fd, long offset, long nbytes, int flags);

    int geteuid();

    int getegid();
}
