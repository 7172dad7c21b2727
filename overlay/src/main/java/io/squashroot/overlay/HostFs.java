package io.squashroot.overlay;

import io.squashroot.host.CFunction;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsStat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;

/**
 * Host file-system calls on absolute path strings, failing with the host's errno as an
 * {@link FsException}. One place for native calls keeps the rest of the overlay plain Java.
 */
final class HostFs {
    private static final java.nio.charset.Charset NATIVE = java.nio.charset.Charset.defaultCharset();
    /** XATTR_SIZE_MAX (include/uapi/linux/limits.h): the largest value the kernel stores. */
    static final int XATTR_SIZE_MAX = 65536;

    private HostFs() {
    }

    /**
     * A String as the NUL-terminated bytes of the JVM's default charset (UTF-8 under the
     * launcher's C.UTF-8), as a String argument always reached libc, for {@link Libc}'s byte[]
     * parameters.
     */
    static byte[] cstr(String s) {
        byte[] b = s.getBytes(NATIVE);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    static int geteuid() {
        return Libc.geteuid();
    }

    static int getegid() {
        return Libc.getegid();
    }

    private static FsException fail(String what, String path) {
        int errno = CFunction.errno();
        return new FsException(errno == 0 ? Errno.EIO : errno, what + " " + path + ": errno " + errno);
    }

    /** lstat; ENOENT as an exception. */
    static HostStat lstat(String path) throws FsException {
        HostStat st = lstatOrNull(path);
        if (st == null) {
            throw new FsException(Errno.ENOENT);
        }
        return st;
    }

    /** lstat, or null when the path does not exist (ENOENT/ENOTDIR). */
    static HostStat lstatOrNull(String path) throws FsException {
        byte[] buf = new byte[256];
        Anchors.At at = Anchors.at(path);
        if (Libc.statx(at.dirfd(), at.path(), Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, buf) != 0) {
            int errno = CFunction.errno();
            if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
                return null;
            }
            throw new FsException(errno, "statx " + path + ": errno " + errno);
        }
        // struct statx (include/uapi/linux/stat.h): fixed little-endian layout on x86-64/arm64.
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        long nlink = Integer.toUnsignedLong(b.getInt(0x10));
        long uid = Integer.toUnsignedLong(b.getInt(0x14));
        long gid = Integer.toUnsignedLong(b.getInt(0x18));
        int mode = b.getShort(0x1c) & 0xffff;
        long ino = b.getLong(0x20);
        long size = b.getLong(0x28);
        long blocks = b.getLong(0x30);
        long rdev = makedev(b.getInt(0x80), b.getInt(0x84));
        return new HostStat(ino, mode, nlink, uid, gid, rdev, size, blocks,
                b.getLong(0x40), b.getInt(0x48), b.getLong(0x70), b.getInt(0x78),
                b.getLong(0x60), b.getInt(0x68));
    }

    /** glibc's makedev (sysmacros.h). */
    static long makedev(long major, long minor) {
        major &= 0xffffffffL;
        minor &= 0xffffffffL;
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static void lchown(String path, long uid, long gid) throws FsException {
        if (Libc.lchown(cstr(path), (int) uid, (int) gid) != 0) {
            throw fail("lchown", path);
        }
    }

    static void chmod(String path, int mode) throws FsException {
        Anchors.At at = Anchors.at(path);
        if (Libc.fchmodat(at.dirfd(), at.path(), mode, 0) != 0) {
            throw fail("chmod", path);
        }
    }

    static void mknod(String path, int mode, long rdev) throws FsException {
        if (Libc.mknod(cstr(path), mode, rdev) != 0) {
            throw fail("mknod", path);
        }
    }

    /** The value of an xattr, or null when absent (ENODATA) or unsupported (ENOTSUP). */
    static byte[] getxattr(String path, String name) throws FsException {
        byte[] p = cstr(path);
        byte[] nm = cstr(name);
        byte[] buf = new byte[256];
        while (true) {
            long n = Libc.lgetxattr(p, nm, buf, buf.length);
            if (n >= 0) {
                return java.util.Arrays.copyOf(buf, (int) n);
            }
            int errno = CFunction.errno();
            if (errno == Errno.ENODATA || errno == Errno.ENOTSUP) {
                return null;
            }
            if (errno != Errno.ERANGE || buf.length >= XATTR_SIZE_MAX) {
                throw new FsException(errno, "getxattr " + path + " " + name + ": errno " + errno);
            }
            buf = new byte[XATTR_SIZE_MAX];
        }
    }

    static void setxattr(String path, String name, byte[] value, int flags) throws FsException {
        if (Libc.lsetxattr(cstr(path), cstr(name), value, value.length, flags) != 0) {
            throw fail("setxattr " + name, path);
        }
    }

    /** Removes an xattr; false when it was absent. */
    static boolean removexattr(String path, String name) throws FsException {
        if (Libc.lremovexattr(cstr(path), cstr(name)) != 0) {
            int errno = CFunction.errno();
            if (errno == Errno.ENODATA || errno == Errno.ENOTSUP) {
                return false;
            }
            throw new FsException(errno, "removexattr " + path + " " + name + ": errno " + errno);
        }
        return true;
    }

    static List<String> listxattr(String path) throws FsException {
        byte[] p = cstr(path);
        byte[] buf = new byte[1024];
        long n;
        while (true) {
            n = Libc.llistxattr(p, buf, buf.length);
            if (n >= 0) {
                break;
            }
            int errno = CFunction.errno();
            if (errno == Errno.ENOTSUP) {
                return List.of();
            }
            if (errno != Errno.ERANGE || buf.length >= XATTR_SIZE_MAX) {
                throw new FsException(errno, "listxattr " + path + ": errno " + errno);
            }
            buf = new byte[XATTR_SIZE_MAX];
        }
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == 0) {
                if (i > start) {
                    names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return names;
    }

    /** utimensat without following a final symlink; nanosecond values or UTIME_NOW/OMIT. */
    static void utimens(String path, long atimeNanos, long mtimeNanos) throws FsException {
        long[] ts = {timespecSec(atimeNanos), timespecNsec(atimeNanos),
                timespecSec(mtimeNanos), timespecNsec(mtimeNanos)};
        Anchors.At at = Anchors.at(path);
        if (Libc.utimensat(at.dirfd(), at.path(), ts, Libc.AT_SYMLINK_NOFOLLOW) != 0) {
            throw fail("utimensat", path);
        }
    }

    private static long timespecSec(long nanos) {
        return isSpecial(nanos) ? 0 : Math.floorDiv(nanos, 1_000_000_000L);
    }

    private static long timespecNsec(long nanos) {
        return isSpecial(nanos) ? nanos : Math.floorMod(nanos, 1_000_000_000L);
    }

    private static boolean isSpecial(long v) {
        return v == io.squashroot.tree.FileAttr.UTIME_NOW || v == io.squashroot.tree.FileAttr.UTIME_OMIT;
    }

    static void truncate(String path, long length) throws FsException {
        if (Libc.truncate(cstr(path), length) != 0) {
            throw fail("truncate", path);
        }
    }

    static void rename(String from, String to, int flags) throws FsException {
        if (Libc.renameat2(Libc.AT_FDCWD, cstr(from), Libc.AT_FDCWD, cstr(to), flags) != 0) {
            throw fail("rename", from + " -> " + to);
        }
    }

    /**
     * A second descriptor on a file being written, only to start its writeback early
     * ({@link #startWriteback}); -1 when it cannot be opened (then nothing is started early).
     */
    static int openForWriteback(String path) {
        return Libc.open(cstr(path), Libc.O_WRONLY | Libc.O_CLOEXEC);
    }

    /**
     * Asks the kernel to start writing {@code [offset, offset + length)} to disk without waiting
     * (sync_file_range SYNC_FILE_RANGE_WRITE), so the fsync that ends a copy-up finds most of it
     * done. Best effort: a failure here changes nothing, the fsync still decides.
     */
    static void startWriteback(int fd, long offset, long length) {
        if (fd >= 0) {
            Libc.sync_file_range(fd, offset, length, Libc.SYNC_FILE_RANGE_WRITE);
        }
    }

    static void close(int fd) {
        if (fd >= 0) {
            Libc.close(fd);
        }
    }

    static FsStat statvfs(String path) throws FsException {
        byte[] buf = new byte[128];
        if (Libc.statvfs(cstr(path), buf) != 0) {
            throw fail("statvfs", path);
        }
        // struct statvfs on 64-bit glibc: eleven 8-byte fields before the spares.
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        return new FsStat(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32),
                b.getLong(40), b.getLong(48), b.getLong(80));
    }

    /** The errno behind a JDK I/O failure, from its exception type or the strerror text. */
    static int errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        String msg = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (msg == null) {
            return Errno.EIO;
        }
        if (msg.contains("No space left")) {
            return Errno.ENOSPC;
        }
        if (msg.contains("quota")) {
            return Errno.EDQUOT;
        }
        if (msg.contains("Is a directory")) {
            return Errno.EISDIR;
        }
        if (msg.contains("Operation not permitted")) {
            return Errno.EPERM;
        }
        if (msg.contains("File too large")) {
            return Errno.EFBIG;
        }
        if (msg.contains("Read-only file system")) {
            return Errno.EROFS;
        }
        return Errno.EIO;
    }

    static FsException fromIo(IOException e, String what) {
        return new FsException(errnoOf(e), what + ": " + e.getMessage(), e);
    }
}
