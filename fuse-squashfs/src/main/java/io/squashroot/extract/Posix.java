package io.squashroot.extract;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls java.nio cannot make: mknod (devices, FIFOs, sockets), lchown in one call,
 * and lsetxattr for the trusted.* and security.* namespaces. All act on the link itself, never
 * following a symlink. Paths and names are NUL-terminated bytes ({@code HostPaths.cString}), never
 * Strings, which jnr would encode with the locale's charset and so mangle names that are not
 * ASCII under LANG=C, or not valid UTF-8 under any locale.
 */
final class Posix {
    /** libc functions; errno is saved after each call. */
    public interface LibC {
        @SaveError
        int mknod(byte[] path, int mode, long dev);

        @SaveError
        int lchown(byte[] path, int uid, int gid);

        @SaveError
        int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags);

        @SaveError
        int chmod(byte[] path, int mode);

        /** {@code times}: atime sec, nsec, mtime sec, nsec (struct timespec[2] on 64-bit Linux). */
        @SaveError
        int utimensat(int dirfd, byte[] path, long[] times, int flags);

        @SaveError
        int open(String path, int flags);

        int close(int fd);

        /** Returns the error number itself (not -1/errno). */
        int posix_fadvise(int fd, long offset, long len, int advice);

        /** {@code target} must end with a NUL byte, like every byte[] path here. */
        @SaveError
        int symlink(byte[] target, byte[] linkpath);
    }

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int O_RDONLY = 0;
    static final int POSIX_FADV_WILLNEED = 3;
    static final int EPERM = 1;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENOTSUP = 95;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private Posix() {
    }

    static LibC libc() {
        return LIBC;
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    /** Linux's dev_t encoding (glibc makedev) of major:minor. */
    static long makedev(int major, int minor) {
        return ((long) (major & 0xFFFFF000) << 32) | ((major & 0xFFF) << 8)
                | ((long) (minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
    }

    /** {@code s}'s bytes NUL-terminated. */
    static byte[] cString(byte[] s) {
        return java.util.Arrays.copyOf(s, s.length + 1);
    }

    static String strerror(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case EACCES -> "permission denied";
            case ENOTSUP -> "not supported";
            case 2 -> "no such file or directory";
            case 17 -> "file exists";
            case 28 -> "no space left on device";
            default -> "errno " + errno;
        };
    }
}
