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
        int fd = dir.isEmpty() ? -1 : Libc.open(HostFs.cstr(dir), O_PATH | O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0) {
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

    /** A host path as an *at call takes it: a directory descriptor and the path from there. */
    record At(int dirfd, byte[] path) {
    }

    /**
     * {@code path} (absolute) from the newest registered directory strictly above it, or from
     * the working directory (AT_FDCWD, the path unchanged) when none is.
     */
    static At at(String path) {
        Anchor[] as = all;
        for (int i = as.length - 1; i >= 0; i--) {
            String d = as[i].dir();
            if (path.length() > d.length() + 1 && path.charAt(d.length()) == '/' && path.startsWith(d)) {
                return new At(as[i].fd(), HostFs.cstr(path.substring(d.length() + 1)));
            }
        }
        return new At(Libc.AT_FDCWD, HostFs.cstr(path));
    }
}
