package io.squashroot.fuse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a tree is mounted. Immutable; made by {@link #builder()} or parsed from a
 * squashfuse-style {@code -o} list by {@link #parse}.
 *
 * @param uid            owner every node is presented with, or -1 for the tree's own
 * @param gid            group every node is presented with, or -1 for the tree's own
 * @param readOnly       mount read-only (the kernel refuses writes before they reach us)
 * @param kernelCache    keep file pages in the page cache across opens (safe: images are immutable)
 * @param entryTimeout   seconds the kernel may cache a name lookup; NaN picks 86400 for read-only
 *                       trees and 1 for writable ones
 * @param attrTimeout    seconds the kernel may cache attributes; NaN as for entryTimeout
 * @param allowOther     let other users see the mount (needs user_allow_other in /etc/fuse.conf
 *                       unless root); turns on default_permissions so the kernel checks modes
 * @param threads        worker threads serving requests, fixed for the mount's life; 0 picks
 *                       {@link #workers}' default
 * @param fsname         first field of the mount table entry (the image path, typically)
 * @param subtype        shown as fuse.SUBTYPE in the mount table
 * @param readaheadBytes the kernel's readahead window for files on this mount
 * @param writebackCache let the kernel cache writes and send them in large batches (kernel
 *                       session only; writable trees only; on by default, SQUASHROOT_FUSE_WRITEBACK=0
 *                       turns the default off). Fewer, larger WRITEs; the kernel then keeps size
 *                       and mtime itself between flushes, so the tree must have no other writer
 * @param backend        {@code kernel}: our own session speaking the FUSE protocol on /dev/fuse
 *                       (the default); {@code libfuse}: libfuse2's high-level loop through
 *                       jnr-fuse, kept for comparison. Default from SQUASHROOT_FUSE_BACKEND
 */
public record MountOptions(long uid, long gid, boolean readOnly, boolean kernelCache,
                           double entryTimeout, double attrTimeout, boolean allowOther,
                           int threads, String fsname, String subtype, int readaheadBytes,
                           boolean writebackCache, String backend) {

    /** Largest request libfuse2 can carry (32 pages, FUSE_MAX_PAGES_PER_REQ in kernels it targets). */
    static final int MAX_READ = 128 * 1024;
    /** Largest READ the kernel session asks for (256 pages: FUSE_MAX_PAGES, protocol 7.28). */
    static final int KERNEL_MAX_READ = 1 << 20;
    static final String KERNEL = "kernel";
    static final String LIBFUSE = "libfuse";
    static final int MAX_THREADS = 64;

    public MountOptions {
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("mount option threads=" + threads + ": must be 1.." + MAX_THREADS);
        }
        if (uid < -1 || uid > 0xfffffffeL || gid < -1 || gid > 0xfffffffeL) {
            throw new IllegalArgumentException("mount option uid=" + uid + ",gid=" + gid + ": out of range");
        }
        if (entryTimeout < 0 || attrTimeout < 0) {
            throw new IllegalArgumentException("mount option entry_timeout/attr_timeout: must not be negative");
        }
        if (readaheadBytes < 0 || readaheadBytes > 64 << 20) {
            throw new IllegalArgumentException("mount option readahead=" + readaheadBytes + ": must be 0..64M");
        }
        if (backend == null || backend.isEmpty()) {
            backend = defaultBackend();
        }
        if (!backend.equals(KERNEL) && !backend.equals(LIBFUSE)) {
            throw new IllegalArgumentException("FUSE backend '" + backend + "': must be kernel or libfuse"
                    + " (mount option backend=, SQUASHROOT_FUSE_BACKEND)");
        }
        fsname = clean(fsname == null ? "squashroot" : fsname);
        subtype = clean(subtype == null ? "squashroot" : subtype);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.uid = uid;
        b.gid = gid;
        b.readOnly = readOnly;
        b.kernelCache = kernelCache;
        b.entryTimeout = entryTimeout;
        b.attrTimeout = attrTimeout;
        b.allowOther = allowOther;
        b.threads = threads;
        b.fsname = fsname;
        b.subtype = subtype;
        b.readaheadBytes = readaheadBytes;
        b.writebackCache = writebackCache;
        b.backend = backend;
        return b;
    }

    static String defaultBackend() {
        String v = System.getProperty("squashroot.fuse.backend", System.getenv("SQUASHROOT_FUSE_BACKEND"));
        return v == null || v.isEmpty() ? KERNEL : v;
    }

    /**
     * Parses a comma-separated {@code -o} list (uid=N, gid=N, ro, rw, kernel_cache,
     * nokernel_cache, entry_timeout=S, attr_timeout=S, allow_other, threads=N, fsname=S,
     * subtype=S, readahead=BYTES[K|M], writeback_cache, nowriteback_cache, backend=kernel|libfuse)
     * on top of {@code base}. An unknown option is an error
     * naming it.
     */
    public static MountOptions parse(String list, MountOptions base) {
        Builder b = base.toBuilder();
        if (list == null || list.isBlank()) {
            return b.build();
        }
        for (String opt : list.split(",")) {
            String o = opt.trim();
            if (o.isEmpty()) {
                continue;
            }
            int eq = o.indexOf('=');
            String key = eq < 0 ? o : o.substring(0, eq);
            String val = eq < 0 ? null : o.substring(eq + 1);
            try {
                switch (key) {
                    case "uid" -> b.uid(Long.parseLong(need(key, val)));
                    case "gid" -> b.gid(Long.parseLong(need(key, val)));
                    case "ro" -> b.readOnly(true);
                    case "rw" -> b.readOnly(false);
                    case "kernel_cache" -> b.kernelCache(true);
                    case "nokernel_cache" -> b.kernelCache(false);
                    case "entry_timeout" -> b.entryTimeout(Double.parseDouble(need(key, val)));
                    case "attr_timeout" -> b.attrTimeout(Double.parseDouble(need(key, val)));
                    case "allow_other" -> b.allowOther(true);
                    case "threads" -> {
                        int n = Integer.parseInt(need(key, val));
                        if (n < 1) {
                            throw new IllegalArgumentException("mount option threads=" + n + ": must be 1.." + MAX_THREADS);
                        }
                        b.threads(n);
                    }
                    case "fsname" -> b.fsname(need(key, val));
                    case "subtype" -> b.subtype(need(key, val));
                    case "readahead" -> b.readaheadBytes((int) Sizes.parse(need(key, val)));
                    case "writeback_cache" -> b.writebackCache(true);
                    case "nowriteback_cache" -> b.writebackCache(false);
                    case "backend" -> b.backend(need(key, val));
                    default -> throw new IllegalArgumentException("unknown mount option '" + o + "' (known: uid, gid, ro,"
                            + " rw, kernel_cache, nokernel_cache, entry_timeout, attr_timeout, allow_other, threads,"
                            + " fsname, subtype, readahead, writeback_cache, nowriteback_cache, backend)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mount option '" + o + "': not a number");
            }
        }
        return b.build();
    }

    private static String need(String key, String val) {
        if (val == null || val.isEmpty()) {
            throw new IllegalArgumentException("mount option '" + key + "' needs a value (" + key + "=...)");
        }
        return val;
    }

    /**
     * How many workers serve the mount: the option, or one per CPU (2..16). Each request wakes
     * a worker, and workers beyond the cores only add context switches (on 2 cores, 4 workers
     * cost a fifth more CPU than 2 for the same reads); slow storage is read ahead in chunks
     * on threads of its own (ChunkedImageSource). On a writable tree only one of them waits
     * for requests while they are quick ({@code Readers}).
     */
    int workers() {
        if (threads > 0) {
            return threads;
        }
        return Math.max(2, Math.min(16, java.lang.Runtime.getRuntime().availableProcessors()));
    }

    /** Seconds the kernel may keep a name: the option, or 86400 for read-only trees and 1 for writable ones. */
    double entrySeconds(boolean treeReadOnly) {
        return Double.isNaN(entryTimeout) ? (treeReadOnly ? 86400 : 1) : entryTimeout;
    }

    /** Seconds the kernel may keep attributes, defaulted as {@link #entrySeconds}. */
    double attrSeconds(boolean treeReadOnly) {
        return Double.isNaN(attrTimeout) ? (treeReadOnly ? 86400 : 1) : attrTimeout;
    }

    /**
     * What {@code fuse_mount} needs for the kernel session: the mount(2) options only; timeouts,
     * caching and inode numbers are the session's own business.
     */
    List<String> kernelMountArgs() {
        return List.of("-o", String.join(",", mountOptions(KERNEL_MAX_READ)));
    }

    /** What mount(2) gets with either session: always nosuid and nodev. */
    private List<String> mountOptions(int maxRead) {
        List<String> o = new ArrayList<>();
        if (readOnly) {
            o.add("ro");
        }
        o.add("nosuid");
        o.add("nodev");
        o.add("fsname=" + fsname);
        o.add("subtype=" + subtype);
        o.add("max_read=" + maxRead);
        if (allowOther) {
            o.add("allow_other");
            o.add("default_permissions");
        }
        return o;
    }

    /** The libfuse2 arguments for a tree ({@code -o a,b,c}). */
    List<String> fuseArgs(boolean treeReadOnly) {
        double entry = entrySeconds(treeReadOnly);
        double attr = attrSeconds(treeReadOnly);
        List<String> o = mountOptions(MAX_READ);
        o.add("use_ino");
        o.add("max_readahead=" + readaheadBytes);
        o.add(String.format(Locale.ROOT, "entry_timeout=%s", entry));
        o.add(String.format(Locale.ROOT, "attr_timeout=%s", attr));
        o.add(String.format(Locale.ROOT, "negative_timeout=%s", treeReadOnly ? entry : 0.0));
        if (kernelCache) {
            o.add("kernel_cache");
        }
        if (!treeReadOnly) {
            o.add("big_writes");
        }
        return List.of("-o", String.join(",", o));
    }

    /** Mount-table fields are comma-separated and whitespace-split: keep names to a safe alphabet. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c > ' ' && c < 127 && c != ',' && c != '\\' ? c : '_');
        }
        return b.toString();
    }

    /** Builder with the defaults for an immutable image mounted by its owner. */
    public static final class Builder {
        private long uid = -1;
        private long gid = -1;
        private boolean readOnly = true;
        private boolean kernelCache = true;
        private double entryTimeout = Double.NaN;
        private double attrTimeout = Double.NaN;
        private boolean allowOther;
        private int threads; // 0: workers() picks
        private String fsname;
        private String subtype;
        private int readaheadBytes = 1 << 20;
        // On unless SQUASHROOT_FUSE_WRITEBACK=0: an upper layer has one writer (a fuse-mode
        // container's lock), so the kernel's cached size and times cannot go stale behind it.
        private boolean writebackCache = !"0".equals(System.getenv("SQUASHROOT_FUSE_WRITEBACK"));
        private String backend;

        private Builder() {
        }

        public Builder uid(long v) {
            uid = v;
            return this;
        }

        public Builder gid(long v) {
            gid = v;
            return this;
        }

        /** Presents every node as owned by {@code u:g} (what an unprivileged mount wants). */
        public Builder owner(long u, long g) {
            return uid(u).gid(g);
        }

        public Builder readOnly(boolean v) {
            readOnly = v;
            return this;
        }

        public Builder kernelCache(boolean v) {
            kernelCache = v;
            return this;
        }

        public Builder entryTimeout(double seconds) {
            entryTimeout = seconds;
            return this;
        }

        public Builder attrTimeout(double seconds) {
            attrTimeout = seconds;
            return this;
        }

        public Builder allowOther(boolean v) {
            allowOther = v;
            return this;
        }

        public Builder threads(int n) {
            threads = n;
            return this;
        }

        public Builder fsname(String v) {
            fsname = v;
            return this;
        }

        public Builder subtype(String v) {
            subtype = v;
            return this;
        }

        public Builder readaheadBytes(int v) {
            readaheadBytes = v;
            return this;
        }

        public Builder writebackCache(boolean v) {
            writebackCache = v;
            return this;
        }

        /** {@code kernel} or {@code libfuse}; null picks SQUASHROOT_FUSE_BACKEND's, else kernel. */
        public Builder backend(String v) {
            backend = v;
            return this;
        }

        public MountOptions build() {
            return new MountOptions(uid, gid, readOnly, kernelCache, entryTimeout, attrTimeout, allowOther,
                    threads, fsname, subtype, readaheadBytes, writebackCache, backend);
        }
    }
}
