package io.squashroot.extract;

import io.squashroot.host.CFunction;
import io.squashroot.host.CFunction.Arg;
import java.nio.charset.Charset;

/**
 * The few libc calls java.nio cannot make: mknod (devices, FIFOs, sockets), lchown in one call,
 * and lsetxattr for the trusted.* and security.* namespaces. All act on the link itself, never
 * following a symlink. Paths and names are NUL-terminated bytes ({@code HostPaths.cString}), never
 * Strings, which would be encoded with the locale's charset and so mangle names that are not
 * ASCII under LANG=C, or not valid UTF-8 under any locale. Bound through {@link CFunction}
 * (jffi, no generated classes).
 */
final class Posix {
    /** libc functions; errno is saved after each call ({@link Posix#errno}). */
    static final class LibC {
        private static final CFunction MKNOD = CFunction.ofInt("mknod", Arg.BYTES_IN, Arg.INT, Arg.LONG);
        private static final CFunction LCHOWN = CFunction.ofInt("lchown", Arg.BYTES_IN, Arg.INT, Arg.INT);
        private static final CFunction LSETXATTR = CFunction.ofInt("lsetxattr",
                Arg.BYTES_IN, Arg.BYTES_IN, Arg.BYTES_IN, Arg.LONG, Arg.INT);
        private static final CFunction CHMOD = CFunction.ofInt("chmod", Arg.BYTES_IN, Arg.INT);
        private static final CFunction UTIMENSAT = CFunction.ofInt("utimensat",
                Arg.INT, Arg.BYTES_IN, Arg.LONGS_IN, Arg.INT);
        private static final CFunction OPEN = CFunction.ofInt("open", Arg.BYTES_IN, Arg.INT);
        private static final CFunction CLOSE = CFunction.ofInt("close", Arg.INT);
        private static final CFunction POSIX_FADVISE = CFunction.ofInt("posix_fadvise",
                Arg.INT, Arg.LONG, Arg.LONG, Arg.INT);
        private static final CFunction SYMLINK = CFunction.ofInt("symlink", Arg.BYTES_IN, Arg.BYTES_IN);

        private LibC() {
        }

        int mknod(byte[] path, int mode, long dev) {
            return (int) MKNOD.call(path, mode, dev);
        }

        int lchown(byte[] path, int uid, int gid) {
            return (int) LCHOWN.call(path, uid, gid);
        }

        int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) {
            return (int) LSETXATTR.call(path, name, value, size, flags);
        }

        int chmod(byte[] path, int mode) {
            return (int) CHMOD.call(path, mode);
        }

        /** {@code times}: atime sec, nsec, mtime sec, nsec (struct timespec[2] on 64-bit Linux). */
        int utimensat(int dirfd, byte[] path, long[] times, int flags) {
            return (int) UTIMENSAT.call(dirfd, path, times, flags);
        }

        /** {@code path} in the JVM's default charset, as a String argument always went to libc. */
        int open(String path, int flags) {
            byte[] b = path.getBytes(Charset.defaultCharset());
            return (int) OPEN.call(java.util.Arrays.copyOf(b, b.length + 1), flags);
        }

        int close(int fd) {
            return (int) CLOSE.call(fd);
        }

        /** Returns the error number itself (not -1/errno). */
        int posix_fadvise(int fd, long offset, long len, int advice) {
            return (int) POSIX_FADVISE.call(fd, offset, len, advice);
        }

        /** {@code target} must end with a NUL byte, like every byte[] path here. */
        int symlink(byte[] target, byte[] linkpath) {
            return (int) SYMLINK.call(target, linkpath);
        }
    }

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int O_RDONLY = 0;
    static final int POSIX_FADV_WILLNEED = 3;
    static final int EPERM = 1;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENOTSUP = 95;

    private static final LibC LIBC = new LibC();

    private Posix() {
    }

    static LibC libc() {
        return LIBC;
    }

    static int errno() {
        return CFunction.errno();
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
