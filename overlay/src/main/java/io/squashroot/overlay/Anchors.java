package io.squashroot.overlay;

/**
 * Open descriptors of upper directories, so that the hottest host calls on paths below one
 * (statx, utimensat, fchmodat: 12 of the 17 an untar makes a file) resolve the path from that
 * directory rather than from "/": the kernel then walks the few components inside the upper
 * instead of the whole absolute path every time (the walk was about a tenth of the mount
 * server's CPU in an untar, docs/benchmarks.md). Callers keep passing absolute host paths.
 *
 * <p>Each overlay registers its upper directory when it opens and drops it when destroyed;
 * the newest registration of a directory wins, so a directory removed and made again under
 * the same name (tests do) is resolved through the live descriptor. A path under no registered
 * directory is used as it is.
 */
final class Anchors {
    /** An upper directory {@code dir} (absolute, no trailing slash) and its O_PATH descriptor. */
    record Anchor(String dir, int fd) {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private static final int O_PATH = 010000000;
    private static final int O_DIRECTORY = 0200000;
    private static volatile Anchor[] all = {};

    private Anchors() {
    }

    /** Registers {@code dir}; null (and nothing registered) when it cannot be opened. */
    static synchronized Anchor add(String dir) {
        int fd = Libc.open(HostFs.cstr(dir), O_PATH | O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0 || dir.isEmpty()) {
            HostFs.close(fd);
            return null;
        }
        Anchor a = new Anchor(dir, fd);
        Anchor[] now = java.util.Arrays.copyOf(all, all.length + 1);
        now[now.length - 1] = a;
        all = now;
        return a;
    }

    /** Drops a registration made by {@link #add} and closes its descriptor (null: nothing). */
    static synchronized void remove(Anchor a) {
        if (a == null) {
            return;
        }
        Anchor[] now = java.util.Arrays.stream(all).filter(x -> x != a).toArray(Anchor[]::new);
        if (now.length != all.length) {
            all = now;
            HostFs.close(a.fd());
        }
    }

    /** The newest registered directory strictly above {@code path}, or null. */
    static Anchor of(String path) {
        Anchor[] as = all;
        for (int i = as.length - 1; i >= 0; i--) {
            String d = as[i].dir();
            if (path.length() > d.length() + 1 && path.charAt(d.length()) == '/' && path.startsWith(d)) {
                return as[i];
            }
        }
        return null;
    }

    /** The descriptor to resolve {@code path} from: AT_FDCWD when {@code a} is null. */
    static int dirfd(Anchor a) {
        return a == null ? Libc.AT_FDCWD : a.fd();
    }

    /** {@code path} as bytes for a call from {@link #dirfd(Anchor)}: relative below {@code a}. */
    static byte[] relative(Anchor a, String path) {
        return HostFs.cstr(a == null ? path : path.substring(a.dir().length() + 1));
    }
}
