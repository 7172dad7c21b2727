package io.squashroot.host;

import io.squashroot.tree.NameBytes;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * Reads every extended attribute of a host file (not following symlinks) through libc's
 * llistxattr/lgetxattr, with the file's path and the names as bytes (names as {@link NameBytes}
 * Strings). Java's own UserDefinedFileAttributeView only sees the user. namespace,
 * and images need security.capability and trusted.overlay.* as well.
 *
 * <p>Why a package of its own: the writer's directory source needs it, but the format packages
 * (io.squashroot.squashfs and .write) stay free of native bindings; host I/O that needs libc
 * lives here, beside them.
 */
public final class HostXattrs {
    /** Linux's XATTR_SIZE_MAX and XATTR_LIST_MAX: bounds before allocating. */
    private static final int MAX = 65536;

    /** The libc calls, bound through {@link CFunction}; null arrays pass as NULL. */
    static final class LibC {
        private static final CFunction LLISTXATTR = CFunction.ofLong("llistxattr",
                CFunction.Arg.BYTES_IN, CFunction.Arg.BYTES_OUT, CFunction.Arg.LONG);
        private static final CFunction LGETXATTR = CFunction.ofLong("lgetxattr",
                CFunction.Arg.BYTES_IN, CFunction.Arg.BYTES_IN, CFunction.Arg.BYTES_OUT, CFunction.Arg.LONG);
        private static final CFunction READLINK = CFunction.ofLong("readlink",
                CFunction.Arg.BYTES_IN, CFunction.Arg.BYTES_OUT, CFunction.Arg.LONG);

        /** {@code path} NUL-terminated bytes, as every path and name here. */
        long llistxattr(byte[] path, byte[] list, long size) {
            return LLISTXATTR.call(path, list, size);
        }

        long lgetxattr(byte[] path, byte[] name, byte[] value, long size) {
            return LGETXATTR.call(path, name, value, size);
        }

        long readlink(byte[] path, byte[] buf, long size) {
            return READLINK.call(path, buf, size);
        }
    }

    static final class Holder {
        static final LibC LIBC = new LibC();
    }

    private HostXattrs() {
    }

    /**
     * Name to value for every attribute of {@code p}, or null when it has none (or its file
     * system has no xattrs). Attributes removed while being read are left out.
     */
    public static TreeMap<String, byte[]> read(Path p) {
        byte[] path = HostPaths.cString(p);
        LibC c = Holder.LIBC;
        long n = c.llistxattr(path, null, 0);
        if (n <= 0) {
            return null; // none, or a filesystem without xattrs
        }
        byte[] list = new byte[(int) Math.min(n, MAX)];
        n = c.llistxattr(path, list, list.length);
        if (n <= 0) {
            return null;
        }
        TreeMap<String, byte[]> out = new TreeMap<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] != 0) {
                continue;
            }
            byte[] cname = java.util.Arrays.copyOfRange(list, start, i + 1);
            String name = NameBytes.decode(list, start, i - start);
            start = i + 1;
            long len = c.lgetxattr(path, cname, null, 0);
            if (len < 0 || len > MAX) {
                continue; // removed meanwhile
            }
            byte[] value = new byte[(int) len];
            if (len > 0 && c.lgetxattr(path, cname, value, len) != len) {
                continue;
            }
            out.put(name, value);
        }
        return out.isEmpty() ? null : out;
    }
}
